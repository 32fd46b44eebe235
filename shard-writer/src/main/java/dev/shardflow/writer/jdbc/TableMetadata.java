package dev.shardflow.writer.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A target table as the database describes it: its columns in order, with their JDBC types, and its primary key.
 * Writers build their statements from this, never from a hand-written column list.
 */
public record TableMetadata(String table, List<Column> columns, List<String> primaryKey) {

    /** One column: name, {@link java.sql.Types} code, the database's type name, and whether it takes NULL. */
    public record Column(String name, int jdbcType, String typeName, boolean nullable) {}

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
        try (ResultSet rows = meta.getColumns(catalog, schema, table, null)) {
            while (rows.next()) {
                columns.add(new Column(rows.getString("COLUMN_NAME"), rows.getInt("DATA_TYPE"),
                        rows.getString("TYPE_NAME"), rows.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls));
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

    private static String describe(String catalog, String schema) {
        return schema != null ? "schema " + schema : "database " + catalog;
    }
}
