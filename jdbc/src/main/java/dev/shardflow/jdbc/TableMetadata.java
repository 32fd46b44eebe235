package dev.shardflow.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A target table as the database describes it: its columns in order, with their JDBC types, and its primary key.
 * Writers build their statements from this, never from a hand-written column list.
 */
public record TableMetadata(String table, List<Column> columns, List<String> primaryKey) {

    /**
     * One column: name, {@link java.sql.Types} code, the database's type name, whether it takes NULL, and whether
     * it holds JSON (PostgreSQL {@code json}/{@code jsonb}, MySQL {@code JSON}, and MariaDB's {@code JSON}, which is
     * a {@code LONGTEXT} with a {@code json_valid} check).
     */
    public record Column(String name, int jdbcType, String typeName, boolean nullable, boolean json) {

        /** A column that does not hold JSON. */
        public Column(String name, int jdbcType, String typeName, boolean nullable) {
            this(name, jdbcType, typeName, nullable, false);
        }
    }

    public TableMetadata {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public boolean hasColumn(String name) {
        return columns.stream().anyMatch(c -> c.name().equals(name));
    }

    /**
     * Reads a table of the connection's current schema (PostgreSQL) or database (MariaDB/MySQL).
     *
     * @throws IllegalArgumentException if the table does not exist or has no primary key, which a writer needs
     */
    public static TableMetadata read(Connection connection, String table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String catalog = connection.getCatalog();
        String schema = connection.getSchema();
        List<Column> columns = new ArrayList<>();
        Set<String> checkedJson = jsonChecked(connection, table);
        try (ResultSet rows = meta.getColumns(catalog, schema, table, null)) {
            while (rows.next()) {
                String name = rows.getString("COLUMN_NAME");
                String type = rows.getString("TYPE_NAME");
                boolean json = JSON_TYPES.contains(type.toLowerCase(Locale.ROOT))
                        || checkedJson.contains(name.toLowerCase(Locale.ROOT));
                columns.add(new Column(name, rows.getInt("DATA_TYPE"), type,
                        rows.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls, json));
            }
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " does not exist in " + describe(catalog, schema));
        }
        Map<Short, String> keyColumns = new TreeMap<>();
        try (ResultSet rows = meta.getPrimaryKeys(catalog, schema, table)) {
            while (rows.next()) {
                keyColumns.put(rows.getShort("KEY_SEQ"), rows.getString("COLUMN_NAME"));
            }
        }
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " has no primary key; shardflow applies changes by "
                    + "primary key, so give it one");
        }
        return new TableMetadata(table, columns, List.copyOf(keyColumns.values()));
    }

    private static final Set<String> JSON_TYPES = Set.of("json", "jsonb");
    private static final Pattern JSON_VALID = Pattern.compile("json_valid\\(\\s*`?([^`)\\s]+)`?\\s*\\)",
            Pattern.CASE_INSENSITIVE);

    /**
     * The columns of a MariaDB table declared {@code JSON}: MariaDB stores them as {@code LONGTEXT} and says so only
     * by the {@code json_valid} check it adds. Empty elsewhere (PostgreSQL and MySQL name the type).
     */
    private static Set<String> jsonChecked(Connection connection, String table) throws SQLException {
        if (!connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mariadb")) {
            return Set.of();
        }
        Set<String> columns = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT CHECK_CLAUSE FROM "
                + "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Matcher check = JSON_VALID.matcher(rows.getString(1));
                    while (check.find()) {
                        columns.add(check.group(1).toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        return columns;
    }

    /** The names (lower case) of the columns that hold JSON. */
    public Set<String> jsonColumns() {
        Set<String> names = new HashSet<>();
        columns.stream().filter(Column::json).forEach(c -> names.add(c.name().toLowerCase(Locale.ROOT)));
        return names;
    }

    private static String describe(String catalog, String schema) {
        return schema != null ? "schema " + schema : "database " + catalog;
    }
}
