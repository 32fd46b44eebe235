package dev.shardflow.capture.preflight;

import dev.shardflow.capture.SourceConnection;
import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.Privileges;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks that a source shard can be captured before an engine starts on it: for PostgreSQL {@code wal_level}, free
 * replication slots and WAL senders; for MySQL/MariaDB {@code log_bin}, {@code binlog_format},
 * {@code binlog_row_image} and {@code server_id}; and its tables. Each problem names the shard, the setting, and how
 * to fix it. The privileges shardflow uses are {@link #privileges}: unlike a setting, a grant takes effect at once,
 * so capture waits for one rather than refusing to start.
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

    /**
     * Every privilege shardflow uses on the shard that its user lacks, each with the exact statement that grants it:
     * as a source ({@code target} false: what capture needs), or as a source and a target (what {@code capture check}
     * tests, for a shard of a keyspace receives rows when the ring changes).
     *
     * @throws SQLException when the shard cannot be asked
     */
    public static List<Privileges.Missing> privileges(Topology topology, ShardSpec shard, boolean target)
            throws SQLException {
        try (Connection connection = SourceConnection.open(shard, shard.password().resolve())) {
            List<String> tables = topology.tables().stream().map(TableSpec::name).toList();
            return Privileges.missing(connection, shard, new Privileges.Needs(tables, true, target, target,
                    shard.engine() == Engine.POSTGRESQL ? EngineProperties.publicationName(topology) : null));
        }
    }

    /**
     * Why the shard cannot be reached now — its server refuses connections, is starting or stopping, or does not
     * answer — or empty when it answers or fails for another reason (a wrong password, say), which {@link #check}
     * reports. An unreachable source is an outage to wait out, not a setting to fix before anything starts.
     */
    public static Optional<String> unreachable(ShardSpec shard, String password) {
        try (Connection connection = SourceConnection.open(shard, password)) {
            return Optional.empty();
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            // 08: connection exceptions; 57P03: PostgreSQL starting up or shutting down
            boolean outage = state.startsWith("08") || state.equals("57P03") || state.equals("57P01")
                    || e.getCause() instanceof java.io.IOException;
            return outage ? Optional.of("cannot reach " + shard.jdbcUrl() + " (" + e.getMessage() + ")")
                    : Optional.empty();
        }
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
        return problems;
    }

    /**
     * Every table must exist. On PostgreSQL every relation that logs a table's rows — the table itself, or each leaf
     * partition of a partitioned table, whose replica identity is its own and not the parent's — must log enough of
     * the old row: {@code REPLICA IDENTITY FULL} where the placement column is not part of the primary key (or a
     * delete would not say which shard the row belonged to), and never {@code NOTHING}.
     */
    private static List<String> tables(ShardSpec shard, Connection c, List<TableSpec> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        for (TableSpec table : tables) {
            if (shard.engine() == Engine.POSTGRESQL) {
                identityProblem(shard, c, table).ifPresent(problems::add);
            } else if (single(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                    + "AND table_name = '" + table.name().replace("'", "''") + "'") == null) {
                problems.add(problem(shard, "table " + table.name() + " does not exist",
                        "create it or remove it from the topology"));
            }
        }
        return problems;
    }

    /**
     * What keeps a PostgreSQL table's updates and deletes from being captured whole, with its fix, or empty: it does
     * not exist, or a relation that logs its rows lacks the replica identity it needs.
     */
    static Optional<String> identityProblem(ShardSpec shard, Connection c, TableSpec table)
            throws SQLException {
        String kind = single(c, "SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n "
                + "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = '"
                + table.name().replace("'", "''") + "'");
        if (kind == null) {
            return Optional.of(problem(shard, "table " + table.name() + " does not exist",
                    "create it or remove it from the topology"));
        }
        boolean partitioned = "p".equals(kind);
        List<String> lacking = new ArrayList<>();
        List<String> identities = new ArrayList<>();
        for (String[] relation : loggingRelations(c, table.name(), partitioned)) {
            String identity = relation[1];
            if ("n".equals(identity) || (!"f".equals(identity) && needsWholeRow(table))) {
                lacking.add(relation[0]);
                identities.add((partitioned ? relation[0] + " " : "") + identityName(identity));
            }
        }
        if (lacking.isEmpty()) {
            return Optional.empty();
        }
        String what = partitioned
                ? "partitioned table " + table.name() + " has partitions without REPLICA IDENTITY FULL ("
                        + String.join(", ", identities) + ")"
                : "table " + table.name() + " has REPLICA IDENTITY " + identities.get(0);
        String consequence = needsWholeRow(table) ? ", so its deletes do not carry " + placementColumn(table)
                : ", so its updates and deletes are not published";
        return Optional.of(problem(shard, what + consequence, lacking.stream()
                .map(name -> "ALTER TABLE " + name + " REPLICA IDENTITY FULL").collect(Collectors.joining("; "))));
    }

    /**
     * The relations that write a table's rows to the WAL, each as {name, relreplident}: the table itself, or every
     * leaf partition of a partitioned table, at any depth, partitions attached since included.
     */
    private static List<String[]> loggingRelations(Connection c, String table, boolean partitioned)
            throws SQLException {
        String sql = partitioned
                ? "SELECT c.relname, c.relreplident::text FROM pg_partition_tree(?::regclass) t "
                        + "JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf ORDER BY c.relname"
                : "SELECT c.relname, c.relreplident::text FROM pg_class c WHERE c.oid = ?::regclass";
        List<String[]> relations = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, "\"" + table.replace("\"", "\"\"") + "\"");
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    relations.add(new String[] {rows.getString(1), rows.getString(2)});
                }
            }
        }
        return relations;
    }

    private static String identityName(String code) {
        return switch (code) {
            case "d" -> "DEFAULT";
            case "n" -> "NOTHING";
            case "i" -> "USING INDEX";
            case "f" -> "FULL";
            default -> code;
        };
    }

    /** True when a delete must log the whole old row to say where the row lived. */
    public static boolean needsWholeRow(TableSpec table) {
        String column = placementColumn(table);
        return column != null && !table.primaryKey().contains(column);
    }

    /** The column that says where a row lives: its shard key, or the column naming its parent; null for reference. */
    static String placementColumn(TableSpec table) {
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
