package dev.shardflow.jdbc;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a shard's user holds every privilege shardflow uses on it, found without changing anything: on PostgreSQL
 * from the catalog ({@code has_*_privilege}, role attributes, table owners), on MariaDB/MySQL from the grants
 * {@code information_schema} lists for the user (global, database and table ones). Each privilege missing comes with
 * what it is for and the exact statement that gives it. What is already there needs no privilege: control tables
 * that exist need no {@code CREATE}, a table that has its version column no {@code ALTER}.
 *
 * <p>Grants through roles are not followed on MariaDB/MySQL; grant to the user itself.
 *
 * <p>One role in one file, longer than most: the two engines answer the same question, each from its own catalog,
 * and what one engine needs is read beside what the other does.
 */
public final class Privileges {
    private static final List<String> DML = List.of("SELECT", "INSERT", "UPDATE", "DELETE");

    /** One privilege shardflow needs and the user lacks. */
    public record Missing(String what, String grant) {
        @Override
        public String toString() {
            return what + ": " + grant;
        }
    }

    /**
     * What shardflow does on one shard.
     *
     * @param tables the keyspace's tables on the shard
     * @param source whether it is captured (replication, the publication on PostgreSQL, its control tables)
     * @param target whether writers apply to it (the tombstone and applied-fence tables, DML)
     * @param versionColumns whether writers add missing {@code _sf_version} columns themselves
     * @param publication the PostgreSQL publication capture uses
     */
    public record Needs(List<String> tables, boolean source, boolean target, boolean versionColumns,
            String publication) {
        public Needs {
            tables = List.copyOf(tables);
        }

        /** Everything: a shard of a keyspace is captured, and receives rows when the ring changes. */
        public static Needs all(List<String> tables, String publication) {
            return new Needs(tables, true, true, true, publication);
        }
    }

    private Privileges() {}

    /** Every privilege of {@code needs} the connection's user lacks on {@code shard}; empty when it has them all. */
    public static List<Missing> missing(Connection connection, ShardSpec shard, Needs needs) throws SQLException {
        return shard.engine() == Engine.POSTGRESQL ? postgres(connection, shard, needs)
                : binlog(connection, shard, needs);
    }

    /**
     * Whether an SQL error means a privilege is missing (rather than a server that is gone): PostgreSQL's
     * {@code 42501}; MariaDB/MySQL's access-denied and command-denied errors.
     */
    public static boolean isDenied(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                int code = sql.getErrorCode();
                if ("42501".equals(sql.getSQLState()) || code == 1142 || code == 1143 || code == 1044
                        || code == 1227 || code == 1370) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<Missing> postgres(Connection c, ShardSpec shard, Needs needs) throws SQLException {
        List<Missing> missing = new ArrayList<>();
        String user = single(c, "SELECT current_user");
        String schema = single(c, "SELECT current_schema()");
        String database = single(c, "SELECT current_database()");
        if (needs.source() && !"true".equals(single(c, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles "
                + "WHERE rolname = current_user"))) {
            missing.add(new Missing("capture reads the WAL by logical replication",
                    "ALTER ROLE " + ident(user) + " REPLICATION"));
        }
        List<String> control = controlTables(shard, needs);
        List<String> absent = new ArrayList<>();
        for (String table : control) {
            if (single(c, "SELECT to_regclass(" + literal(ident(table)) + ")::text") == null) {
                absent.add(table);
            }
        }
        if (!absent.isEmpty() && !"true".equals(single(c, "SELECT has_schema_privilege(current_schema(), 'CREATE')"
                + "::text"))) {
            missing.add(new Missing("shardflow creates its control tables " + absent + " in schema " + schema,
                    "GRANT CREATE ON SCHEMA " + ident(schema) + " TO " + ident(user)));
        }
        List<String> notOwned = new ArrayList<>();
        for (String table : needs.tables()) {
            if ("false".equals(single(c, "SELECT pg_has_role(current_user, c.relowner, 'USAGE')::text FROM pg_class c "
                    + "WHERE c.oid = to_regclass(" + literal(ident(table)) + ")"))) {
                notOwned.add(table);
            }
        }
        if (needs.source() && needs.publication() != null && single(c, "SELECT pubname::text FROM pg_publication "
                + "WHERE pubname = " + literal(needs.publication())) == null) {
            if (!"true".equals(single(c, "SELECT has_database_privilege(current_database(), 'CREATE')::text"))) {
                missing.add(new Missing("capture creates the publication " + needs.publication(),
                        "GRANT CREATE ON DATABASE " + ident(database) + " TO " + ident(user)));
            }
            if (!notOwned.isEmpty()) {
                missing.add(new Missing("a publication of tables " + notOwned + " is created by their owner",
                        "CREATE PUBLICATION " + ident(needs.publication()) + " FOR TABLE " + String.join(", ",
                                needs.tables().stream().map(Privileges::ident).toList())
                                + " WITH (publish_via_partition_root = true) -- as the tables' owner, or: "
                                + owners(notOwned, user)));
            }
        }
        if (needs.target() && needs.versionColumns()) {
            List<String> lacking = new ArrayList<>();
            for (String table : notOwned) {
                if (single(c, "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass("
                        + literal(ident(table)) + ") AND attname = " + literal(ControlTables.VERSION_COLUMN)
                        + " AND NOT attisdropped") == null) {
                    lacking.add(table);
                }
            }
            if (!lacking.isEmpty()) {
                missing.add(new Missing("writers add the column " + ControlTables.VERSION_COLUMN + " to " + lacking
                        + ", which only a table's owner may", owners(lacking, user)));
            }
        }
        Map<String, List<String>> lackingDml = new LinkedHashMap<>();
        List<String> dmlTables = new ArrayList<>(needs.tables());
        control.stream().filter(t -> !absent.contains(t)).forEach(dmlTables::add);
        for (String table : dmlTables) {
            for (String privilege : DML) {
                if ("false".equals(single(c, "SELECT has_table_privilege(to_regclass(" + literal(ident(table))
                        + "), " + literal(privilege) + ")::text"))) {
                    lackingDml.computeIfAbsent(table, t -> new ArrayList<>()).add(privilege);
                }
            }
        }
        lackingDml.forEach((table, privileges) -> missing.add(new Missing("shardflow reads and writes rows of "
                + table, "GRANT " + String.join(", ", privileges) + " ON " + ident(table) + " TO " + ident(user))));
        return missing;
    }

    private static String owners(List<String> tables, String user) {
        return String.join("; ", tables.stream().map(t -> "ALTER TABLE " + ident(t) + " OWNER TO " + ident(user))
                .toList());
    }

    private static List<Missing> binlog(Connection c, ShardSpec shard, Needs needs) throws SQLException {
        List<Missing> missing = new ArrayList<>();
        String current = single(c, "SELECT CURRENT_USER()");
        int at = current.lastIndexOf('@');
        String grantee = "'" + current.substring(0, at) + "'@'" + current.substring(at + 1) + "'";
        String database = single(c, "SELECT DATABASE()");
        Set<String> global = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES "
                + "WHERE GRANTEE = ?")) {
            s.setString(1, grantee);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    global.add(rows.getString(1).toUpperCase(Locale.ROOT));
                }
            }
        }
        Set<String> onDatabase = new HashSet<>(global);
        try (PreparedStatement s = c.prepareStatement("SELECT TABLE_SCHEMA, PRIVILEGE_TYPE FROM "
                + "information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?")) {
            s.setString(1, grantee);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    if (matches(rows.getString(1), database)) {
                        onDatabase.add(rows.getString(2).toUpperCase(Locale.ROOT));
                    }
                }
            }
        }
        Map<String, Set<String>> onTable = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT TABLE_NAME, PRIVILEGE_TYPE FROM "
                + "information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = DATABASE()")) {
            s.setString(1, grantee);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    onTable.computeIfAbsent(rows.getString(1).toLowerCase(Locale.ROOT), t -> new HashSet<>())
                            .add(rows.getString(2).toUpperCase(Locale.ROOT));
                }
            }
        }
        String to = " TO " + grantee;
        boolean mariadb = shard.engine() == Engine.MARIADB;
        if (needs.source()) {
            List<String> replication = new ArrayList<>();
            if (!global.contains("REPLICATION SLAVE") && !global.contains("REPLICATION REPLICA")) {
                replication.add("REPLICATION SLAVE");
            }
            if (!global.contains("REPLICATION CLIENT") && !global.contains("BINLOG MONITOR")) {
                replication.add(mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT");
            }
            if (!global.contains("RELOAD") && !onDatabase.contains("LOCK TABLES")) {
                replication.add("RELOAD");
            }
            if (!replication.isEmpty()) {
                missing.add(new Missing("capture reads the binlog as a replica and locks tables for its snapshot",
                        "GRANT " + String.join(", ", replication) + " ON *.*" + to));
            }
        }
        List<String> absent = new ArrayList<>();
        for (String table : controlTables(shard, needs)) {
            if (single(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                    + "TABLE_NAME = " + literal(table)) == null) {
                absent.add(table);
            }
        }
        if (!absent.isEmpty() && !onDatabase.contains("CREATE")) {
            missing.add(new Missing("shardflow creates its control tables " + absent,
                    "GRANT CREATE ON " + quoted(database) + ".*" + to));
        }
        if (needs.target() && needs.versionColumns()) {
            List<String> lacking = new ArrayList<>();
            for (String table : needs.tables()) {
                boolean may = onDatabase.contains("ALTER") || onTable.getOrDefault(table.toLowerCase(Locale.ROOT),
                        Set.of()).contains("ALTER");
                if (!may && single(c, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                        + "DATABASE() AND TABLE_NAME = " + literal(table) + " AND COLUMN_NAME = "
                        + literal(ControlTables.VERSION_COLUMN)) == null) {
                    lacking.add(table);
                }
            }
            if (!lacking.isEmpty()) {
                missing.add(new Missing("writers add the column " + ControlTables.VERSION_COLUMN + " to " + lacking,
                        "GRANT ALTER ON " + quoted(database) + ".*" + to));
            }
        }
        List<String> dmlTables = new ArrayList<>(needs.tables());
        dmlTables.addAll(controlTables(shard, needs));
        Set<String> lacking = new java.util.LinkedHashSet<>();
        for (String table : dmlTables) {
            Set<String> held = onTable.getOrDefault(table.toLowerCase(Locale.ROOT), Set.of());
            DML.stream().filter(p -> !onDatabase.contains(p) && !held.contains(p)).forEach(lacking::add);
        }
        if (!lacking.isEmpty()) {
            missing.add(new Missing("shardflow reads and writes rows of the keyspace's and its own tables",
                    "GRANT " + String.join(", ", lacking) + " ON " + quoted(database) + ".*" + to));
        }
        return missing;
    }

    /** The control tables shardflow keeps on a shard of these needs. */
    private static List<String> controlTables(ShardSpec shard, Needs needs) {
        List<String> tables = new ArrayList<>();
        if (needs.source()) {
            tables.add(ControlTables.FENCE);
            if (shard.engine() == Engine.POSTGRESQL) {
                tables.add(ControlTables.HEARTBEAT);
            }
        }
        if (needs.target()) {
            tables.add(ControlTables.TOMBSTONE);
            tables.add(ControlTables.FENCE_APPLIED);
        }
        return tables;
    }

    /** Whether a database-level grant's name (a LIKE pattern: {@code %}, {@code _}, {@code \_}) covers a database. */
    static boolean matches(String pattern, String database) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (ch == '%') {
                regex.append(".*");
            } else if (ch == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE).matcher(database).matches();
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** A PostgreSQL identifier as written in a statement: quoted only when it must be. */
    private static String ident(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
