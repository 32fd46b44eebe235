package dev.shardflow.jdbc;

import dev.shardflow.core.schema.IndexDefinition;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A table's secondary indexes as its database's catalog lists them ({@link DatabaseMetaData#getIndexInfo}), in the
 * connection's current schema (PostgreSQL) or database (MariaDB/MySQL): the primary key's index is left out, and so
 * is an index with an expression among its columns, which has no counterpart both engines read the same way.
 */
public final class CatalogIndexes {

    private CatalogIndexes() {}

    /** The table's indexes by name, each with its columns in order; empty for a table without any, or no table. */
    public static List<IndexDefinition> read(Connection connection, String table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        Set<String> primary = new HashSet<>(List.of("PRIMARY"));
        try (ResultSet rows = meta.getPrimaryKeys(connection.getCatalog(), connection.getSchema(), table)) {
            while (rows.next()) {
                if (rows.getString("PK_NAME") != null) {
                    primary.add(rows.getString("PK_NAME"));
                }
            }
        }
        Map<String, TreeMap<Integer, String>> columns = new LinkedHashMap<>();
        Map<String, Boolean> unique = new LinkedHashMap<>();
        Set<String> expressions = new HashSet<>();
        try (ResultSet rows = meta.getIndexInfo(connection.getCatalog(), connection.getSchema(), table, false, false)) {
            while (rows.next()) {
                String name = rows.getString("INDEX_NAME");
                if (name == null || rows.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic
                        || primary.contains(name)) {
                    continue;
                }
                String column = rows.getString("COLUMN_NAME");
                if (column == null || column.startsWith("(") || column.contains(" ")) {
                    expressions.add(name);
                    continue;
                }
                columns.computeIfAbsent(name, n -> new TreeMap<>()).put((int) rows.getShort("ORDINAL_POSITION"),
                        column.replace("\"", ""));
                unique.put(name, !rows.getBoolean("NON_UNIQUE"));
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit(); // metadata reads open a transaction on PostgreSQL
        }
        List<IndexDefinition> indexes = new ArrayList<>();
        columns.forEach((name, ordered) -> {
            if (!expressions.contains(name)) {
                indexes.add(new IndexDefinition(name, List.copyOf(ordered.values()), unique.get(name)));
            }
        });
        indexes.sort(java.util.Comparator.comparing(IndexDefinition::name));
        return indexes;
    }
}
