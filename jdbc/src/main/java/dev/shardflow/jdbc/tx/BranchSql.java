package dev.shardflow.jdbc.tx;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.tx.TxId.BranchName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements of a two-phase commit branch, spelled per engine: PostgreSQL {@code PREPARE TRANSACTION} /
 * {@code COMMIT PREPARED} / {@code ROLLBACK PREPARED}, MariaDB/MySQL {@code XA START … END … PREPARE … COMMIT}, and
 * how each lists the branches it holds prepared. Branch names are checked ids ({@link TxId}), never user text.
 */
public final class BranchSql {
    private static final int MARIADB_UNKNOWN_XID = 1397; // XAER_NOTA
    private static final int MARIADB_DUPLICATE_KEY = 1062;

    private BranchSql() {}

    /** Opens a branch that will be prepared (or, when {@code prepared} is false, committed locally). */
    public static void begin(Connection connection, Engine engine, BranchName name, boolean prepared, Duration lockTimeout)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            if (engine == Engine.POSTGRESQL) {
                connection.setAutoCommit(false);
                // a lock held on another shard is invisible to this one's deadlock detector: a lock wait gives up
                statement.execute("SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
                return;
            }
            statement.execute("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, lockTimeout.toSeconds()));
            if (prepared) {
                connection.setAutoCommit(true); // XA START opens the transaction itself
                statement.execute("XA START " + xid(name));
            } else {
                connection.setAutoCommit(false);
            }
        }
    }

    /** Phase one: the branch's work is made durable and held, neither committed nor rolled back. */
    public static void prepare(Connection connection, Engine engine, BranchName name) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            if (engine == Engine.POSTGRESQL) {
                statement.execute("PREPARE TRANSACTION '" + gid(name) + "'");
            } else {
                statement.execute("XA END " + xid(name));
                statement.execute("XA PREPARE " + xid(name));
            }
        }
    }

    /**
     * Phase two of a prepared branch. Returns false when the shard holds no such branch: someone (a recovery, or the
     * coordinator) already finished it.
     */
    public static boolean finish(Connection connection, Engine engine, BranchName name, boolean commit) throws SQLException {
        connection.setAutoCommit(true); // COMMIT PREPARED cannot run inside a transaction block
        try (Statement statement = connection.createStatement()) {
            if (engine == Engine.POSTGRESQL) {
                statement.execute((commit ? "COMMIT" : "ROLLBACK") + " PREPARED '" + gid(name) + "'");
            } else {
                statement.execute("XA " + (commit ? "COMMIT " : "ROLLBACK ") + xid(name));
            }
            return true;
        } catch (SQLException e) {
            if (unknownBranch(e, engine)) {
                return false;
            }
            throw e;
        }
    }

    /** Rolls back a branch that was not prepared yet. */
    public static void rollbackActive(Connection connection, Engine engine, BranchName name, boolean xa)
            throws SQLException {
        if (!xa) {
            connection.rollback();
            return;
        }
        try (Statement statement = connection.createStatement()) {
            try {
                statement.execute("XA END " + xid(name));
            } catch (SQLException alreadyEnded) {
                // a failed statement may have ended it; the rollback below says whether anything is left
            }
            statement.execute("XA ROLLBACK " + xid(name));
        }
    }

    /** The branches of shardflow this shard holds prepared. */
    public static List<BranchName> prepared(Connection connection, Engine engine) throws SQLException {
        List<BranchName> names = new ArrayList<>();
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            if (engine == Engine.POSTGRESQL) {
                try (ResultSet rows = statement.executeQuery("SELECT gid FROM pg_prepared_xacts "
                        + "WHERE database = current_database() AND gid LIKE '" + TxId.PREFIX + "%'")) {
                    while (rows.next()) {
                        BranchName name = BranchName.parse(rows.getString(1));
                        if (name != null) {
                            names.add(name);
                        }
                    }
                }
            } else {
                try (ResultSet rows = statement.executeQuery("XA RECOVER")) {
                    while (rows.next()) {
                        if (rows.getInt("formatID") != TxId.XA_FORMAT) {
                            continue;
                        }
                        int gtrid = rows.getInt("gtrid_length");
                        String data = rows.getString("data");
                        BranchName name = data == null || data.length() < gtrid ? null
                                : BranchName.parse(data.substring(0, gtrid), data.substring(gtrid));
                        if (name != null) {
                            names.add(name);
                        }
                    }
                }
            }
        }
        return names;
    }

    public static boolean duplicateKey(SQLException e, Engine engine) {
        return engine == Engine.POSTGRESQL ? "23505".equals(e.getSQLState())
                : e.getErrorCode() == MARIADB_DUPLICATE_KEY;
    }

    private static boolean unknownBranch(SQLException e, Engine engine) {
        return engine == Engine.POSTGRESQL ? "42704".equals(e.getSQLState()) : e.getErrorCode() == MARIADB_UNKNOWN_XID;
    }

    private static String gid(BranchName name) {
        return name.tx().gid(name.decider());
    }

    private static String xid(BranchName name) {
        return "'" + name.tx().id() + "','" + TxId.checkedShard(name.decider()) + "'," + TxId.XA_FORMAT;
    }
}
