package dev.shardflow.jdbc;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.ColumnType;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Engine;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A table as its database's catalog describes it, in the terms of a source's definition ({@link TableDefinition}),
 * so that tables of both engines compare: each column's type with its length and scale, whether it takes NULL, the
 * primary key, and each default as the database writes it ({@code COLUMN_DEF}, kept for restating a column; not part
 * of {@code definition}). shardflow's own columns ({@code _sf_…}) are left out.
 */
public record CatalogTable(TableDefinition definition, Map<String, String> defaults) {

    public CatalogTable {
        defaults = Map.copyOf(defaults);
    }

    /**
     * The table in the connection's current schema (PostgreSQL) or database (MariaDB/MySQL), or empty if there is no
     * table of that name. Ends the transaction the catalog reads open.
     */
    public static Optional<CatalogTable> read(Connection connection, Engine engine, String table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        List<ColumnDefinition> columns = new ArrayList<>();
        Map<String, String> defaults = new TreeMap<>();
        try (ResultSet rows = meta.getColumns(connection.getCatalog(), connection.getSchema(), table, null)) {
            while (rows.next()) {
                String name = rows.getString("COLUMN_NAME");
                if (ControlTables.isOwnColumn(name)) {
                    continue;
                }
                int size = rows.getInt("COLUMN_SIZE");
                Integer length = rows.wasNull() ? null : size;
                int digits = rows.getInt("DECIMAL_DIGITS");
                Integer scale = rows.wasNull() ? null : digits;
                ColumnType type = ColumnType.of(engine, rows.getString("TYPE_NAME"), length, scale);
                String columnDefault = rows.getString("COLUMN_DEF");
                if (columnDefault != null && !columnDefault.equalsIgnoreCase("NULL")) {
                    defaults.put(name, columnDefault);
                }
                columns.add(new ColumnDefinition(name, type, rows.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls,
                        false, null));
            }
        }
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        Map<Short, String> key = new TreeMap<>();
        try (ResultSet rows = meta.getPrimaryKeys(connection.getCatalog(), connection.getSchema(), table)) {
            while (rows.next()) {
                key.put(rows.getShort("KEY_SEQ"), rows.getString("COLUMN_NAME"));
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit(); // metadata reads open a transaction on PostgreSQL
        }
        return Optional.of(new CatalogTable(new TableDefinition(table, engine, columns, List.copyOf(key.values())),
                defaults));
    }

    public Optional<ColumnDefinition> column(String name) {
        return definition.column(name);
    }
}
