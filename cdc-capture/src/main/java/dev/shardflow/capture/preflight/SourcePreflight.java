package dev.shardflow.capture.preflight;

import dev.shardflow.capture.SourceConnection;
import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a source shard can be captured before an engine starts on it: for PostgreSQL {@code wal_level}, the
 * replication privilege, free replication slots and WAL senders; for MySQL/MariaDB {@code log_bin},
 * {@code binlog_format}, {@code binlog_row_image}, {@code server_id} and the replication grants. Each problem names
 * the shard, the setting, and how to fix it.
 */
public final class SourcePreflight {

    private SourcePreflight() {}

    /** The problems found on one shard of a topology; empty when it is ready. */
    public static List<String> check(Topology topology, ShardSpec shard) {
        String password;
        try {
            password = shard.password().resolve();
        } catch (IllegalStateException e) {
            return List.of("shard " + shard.id() + ": " + e.getMessage());
        }
        return check(shard, password, EngineProperties.slotName(topology, shard), topology.tables());
    }

    /** The problems found; empty when the shard is ready. */
    public static List<String> check(ShardSpec shard, String password, String slotName, List<TableSpec> tables) {
        try (Connection connection = SourceConnection.open(shard, password)) {
            List<String> problems = new ArrayList<>(shard.engine() == Engine.POSTGRESQL
                    ? postgres(shard, connection, slotName) : binlog(shard, connection));
            problems.addAll(tables(shard, connection, tables));
            return problems;
        } catch (SQLException e) {
            return List.of("shard " + shard.id() + ": cannot connect to " + shard.jdbcUrl() + " as " + shard.user()
                    + " (" + e.getMessage() + "); check the URL, the user and the password reference "
                    + shard.password());
        }
    }

    private static List<String> postgres(ShardSpec shard, Connection c, String slotName) throws SQLException {
        List<String> problems = new ArrayList<>();
        String walLevel = single(c, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problems.add(problem(shard, "wal_level is " + walLevel, "set wal_level = logical in postgresql.conf "
                    + "and restart PostgreSQL"));
        }
        if (!"t".equals(single(c, "SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles "
                + "WHERE rolname = current_user"))) {
            problems.add(problem(shard, "user " + shard.user() + " may not replicate",
                    "ALTER ROLE " + shard.user() + " REPLICATION"));
        }
        int maxSlots = Integer.parseInt(single(c, "SHOW max_replication_slots"));
        int usedSlots = Integer.parseInt(single(c, "SELECT count(*) FROM pg_replication_slots"));
        boolean ownSlot = "1".equals(single(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                + slotName.replace("'", "''") + "'"));
        if (!ownSlot && usedSlots >= maxSlots) {
            problems.add(problem(shard, "no free replication slot (max_replication_slots = " + maxSlots + ", "
                    + usedSlots + " in use)", "raise max_replication_slots and restart PostgreSQL"));
        }
        if (Integer.parseInt(single(c, "SHOW max_wal_senders")) < 1) {
            problems.add(problem(shard, "max_wal_senders is 0", "set max_wal_senders = 10 and restart PostgreSQL"));
        }
        return problems;
    }

    private static List<String> binlog(ShardSpec shard, Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        String logBin = variable(c, "log_bin");
        if (!"ON".equalsIgnoreCase(logBin)) {
            problems.add(problem(shard, "log_bin is " + logBin, "start the server with --log-bin"));
        }
        String format = variable(c, "binlog_format");
        if (!"ROW".equalsIgnoreCase(format)) {
            problems.add(problem(shard, "binlog_format is " + format, "set binlog_format=ROW"));
        }
        String image = variable(c, "binlog_row_image");
        if (!"FULL".equalsIgnoreCase(image)) {
            problems.add(problem(shard, "binlog_row_image is " + image, "set binlog_row_image=FULL"));
        }
        if ("0".equals(variable(c, "server_id"))) {
            problems.add(problem(shard, "server_id is 0", "give the server a unique server_id"));
        }
        List<String> grants = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SHOW GRANTS")) {
            while (rows.next()) {
                grants.add(rows.getString(1).toUpperCase(Locale.ROOT));
            }
        }
        boolean all = grants.stream().anyMatch(g -> g.startsWith("GRANT ALL PRIVILEGES ON *.*"));
        boolean replica = grants.stream().anyMatch(g -> g.contains("REPLICATION SLAVE") || g.contains("REPLICATION REPLICA"));
        boolean client = grants.stream().anyMatch(g -> g.contains("REPLICATION CLIENT") || g.contains("BINLOG MONITOR")
                || g.contains("SLAVE MONITOR"));
        if (!all && !(replica && client)) {
            problems.add(problem(shard, "user " + shard.user() + " lacks replication grants",
                    "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO the user"));
        }
        return problems;
    }

    /**
     * Every table must exist; on PostgreSQL a table whose placement column is not part of its primary key needs
     * {@code REPLICA IDENTITY FULL}, or its deletes would not say which shard the row belonged to.
     */
    private static List<String> tables(ShardSpec shard, Connection c, List<TableSpec> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        for (TableSpec table : tables) {
            if (shard.engine() == Engine.POSTGRESQL) {
                String identity = single(c, "SELECT c.relreplident::text FROM pg_class c JOIN pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = '"
                        + table.name().replace("'", "''") + "'");
                if (identity == null) {
                    problems.add(problem(shard, "table " + table.name() + " does not exist",
                            "create it or remove it from the topology"));
                } else if (!"f".equals(identity) && needsWholeRow(table)) {
                    problems.add(problem(shard, "table " + table.name() + " has REPLICA IDENTITY "
                            + ("d".equals(identity) ? "DEFAULT" : identity) + ", so its deletes do not carry "
                            + placementColumn(table), "ALTER TABLE " + table.name() + " REPLICA IDENTITY FULL"));
                }
            } else if (single(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                    + "AND table_name = '" + table.name().replace("'", "''") + "'") == null) {
                problems.add(problem(shard, "table " + table.name() + " does not exist",
                        "create it or remove it from the topology"));
            }
        }
        return problems;
    }

    private static boolean needsWholeRow(TableSpec table) {
        String column = placementColumn(table);
        return column != null && !table.primaryKey().contains(column);
    }

    private static String placementColumn(TableSpec table) {
        return switch (table.placement()) {
            case SHARD_KEY -> table.shardKeyColumn();
            case PARENT -> table.parentColumn();
            case REFERENCE -> null;
        };
    }

    private static String problem(ShardSpec shard, String what, String fix) {
        return "shard " + shard.id() + ": " + what + "; " + fix;
    }

    private static String variable(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
            return rows.next() ? rows.getString(2) : "missing";
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }
}
