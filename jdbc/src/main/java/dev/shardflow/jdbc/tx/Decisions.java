package dev.shardflow.jdbc.tx;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decision log: {@value ControlTables#TX_DECISION} on the shard that decides each transaction. A decision is one
 * row keyed by the transaction id, so whoever inserts first — the coordinator's {@code commit}, in the same local
 * transaction as its own branch, or a recovery's {@code abort} — decides, and the other's insert fails.
 */
public final class Decisions {
    public static final String COMMIT = "commit";
    public static final String ABORT = "abort";

    private Decisions() {}

    public static void create(Connection connection, Engine engine) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + ControlTables.TX_DECISION + " (txid VARCHAR(64) NOT NULL "
                    + "PRIMARY KEY, outcome VARCHAR(8) NOT NULL, decided_ms BIGINT NOT NULL, participants "
                    + "VARCHAR(2000) NOT NULL)" + (engine == Engine.POSTGRESQL ? "" : " ENGINE=InnoDB"));
        }
    }

    /** Inserts the decision in the connection's transaction; throws a duplicate-key error if one exists. */
    public static void insert(Connection connection, TxId tx, String outcome, String participants) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ControlTables.TX_DECISION
                + " (txid, outcome, decided_ms, participants) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, tx.id());
            insert.setString(2, outcome);
            insert.setLong(3, System.currentTimeMillis());
            insert.setString(4, participants.length() > 2000 ? participants.substring(0, 2000) : participants);
            insert.executeUpdate();
        }
    }

    /** The decision of {@code tx}, or null when none was made. */
    public static String read(Connection connection, TxId tx) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT outcome FROM "
                + ControlTables.TX_DECISION + " WHERE txid = ?")) {
            select.setString(1, tx.id());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    public static void delete(Connection connection, TxId tx) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + ControlTables.TX_DECISION
                + " WHERE txid = ?")) {
            delete.setString(1, tx.id());
            delete.executeUpdate();
        }
    }

    /** Decisions made before {@code before}: their ids and outcomes. */
    public static Map<String, String> olderThan(Connection connection, Instant before) throws SQLException {
        Map<String, String> found = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT txid, outcome FROM "
                + ControlTables.TX_DECISION + " WHERE decided_ms < ?")) {
            select.setLong(1, before.toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        return found;
    }
}
