package dev.shardflow.topology;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Invariants 1–3 on the shards after a rebalance ends, one way or another: every acknowledged write is on its key's
 * owner at its last acknowledged version, an acknowledged delete left the row on no shard, and no row lives on a
 * shard that does not own it.
 */
final class LayoutCheck {

    private LayoutCheck() {}

    static List<String> problems(Collection<? extends DatabaseShard> shards, Topology owner,
            Collection<RouterWorkload.Expected> acknowledged) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<String, Map<Long, Long>> versions = new HashMap<>();
        for (DatabaseShard shard : shards) {
            for (String table : List.of("users", "orders")) {
                for (Map.Entry<Long, long[]> row : read(shard, table).entrySet()) {
                    if (!owner.strategy().ownerOf(row.getValue()[1]).equals(shard.id())) {
                        problems.add(table + " " + row.getKey() + " left on non-owner " + shard.id());
                    }
                    versions.computeIfAbsent(table, t -> new HashMap<>()).put(row.getKey(), row.getValue()[0]);
                }
            }
        }
        for (RouterWorkload.Expected write : acknowledged) {
            Long version = versions.getOrDefault(write.table(), Map.of()).get(write.id());
            if (write.version() == -1) {
                if (version != null) {
                    problems.add(write.table() + " " + write.id() + ": acknowledged delete, found version " + version);
                }
            } else if (version == null || version != write.version()) {
                problems.add(write.table() + " " + write.id() + ": acknowledged version " + write.version()
                        + ", found " + version);
            }
        }
        return problems;
    }

    /** Rows of a table by id: {version, shard key}. */
    private static Map<Long, long[]> read(DatabaseShard shard, String table) throws SQLException {
        String shardKey = table.equals("users") ? "id" : "user_id";
        Map<Long, long[]> rows = new HashMap<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, version, " + shardKey + " FROM " + table)) {
            while (result.next()) {
                rows.put(result.getLong(1), new long[] {result.getLong(2), result.getLong(3)});
            }
        }
        return rows;
    }
}
