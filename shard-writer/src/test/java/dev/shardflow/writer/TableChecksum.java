package dev.shardflow.writer;

import dev.shardflow.core.event.RowSetChecksum;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** A table's rows as JDBC reads them, and their {@link RowSetChecksum} (shardflow's own columns left out). */
final class TableChecksum {

    private TableChecksum() {}

    static RowSetChecksum of(Collection<Map<String, Object>> rows) {
        return RowSetChecksum.of(rows);
    }

    static RowSetChecksum of(DatabaseShard shard, String table) {
        return of(read(shard, table).values());
    }

    /** The rows of a table by id, each as column name → value as JDBC reads it. */
    static Map<Long, Map<String, Object>> read(DatabaseShard shard, String table) {
        Map<Long, Map<String, Object>> rows = new HashMap<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = result.getMetaData();
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String name = meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
                    if (!name.startsWith("_sf_")) {
                        row.put(name, result.getObject(i));
                    }
                }
                rows.put(((Number) row.get("id")).longValue(), row);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + table + " on " + shard.id() + ": " + e.getMessage(), e);
        }
        return rows;
    }
}
