package dev.shardflow.testkit.workload;

import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads every row a {@link WriteLog} touched back from its shard and compares it with the last acknowledged write
 * of that row: an acknowledged insert or update must be there at that version (or a later one that was in doubt),
 * an acknowledged delete must have left no row. A row whose last write was in doubt may be in either state.
 */
public final class NoLossCheck {

    /** The outcome: how many rows were checked, and one line per row that is not as acknowledged. */
    public record Report(int rowsChecked, List<String> violations) {
        public Report {
            violations = List.copyOf(violations);
        }

        public boolean passed() {
            return violations.isEmpty();
        }
    }

    private record RowKey(String shard, String table, long key) {}

    /** What a row may look like: the state of its last acknowledged write, and that of a later write in doubt. */
    private record Expectation(Write lastAcknowledged, Write laterInDoubt) {
        boolean allows(RowState found) {
            RowState acknowledged = lastAcknowledged == null ? RowState.ABSENT : lastAcknowledged.resultingState();
            return found.equals(acknowledged)
                    || (laterInDoubt != null && found.equals(laterInDoubt.resultingState()));
        }

        @Override
        public String toString() {
            String text = lastAcknowledged == null ? "never acknowledged" : "acknowledged " + lastAcknowledged;
            return laterInDoubt == null ? text : text + " (then in doubt: " + laterInDoubt + ")";
        }
    }

    private NoLossCheck() {}

    public static Report verify(WriteLog writeLog, Collection<? extends DatabaseShard> shards) {
        Map<RowKey, Expectation> expectations = expectations(writeLog);
        Map<String, DatabaseShard> byId = new HashMap<>();
        shards.forEach(shard -> byId.put(shard.id(), shard));
        List<String> violations = new ArrayList<>();
        Map<String, Map<String, Map<Long, Long>>> rowsByShard = new HashMap<>();
        for (Map.Entry<RowKey, Expectation> entry : expectations.entrySet()) {
            RowKey row = entry.getKey();
            DatabaseShard shard = byId.get(row.shard());
            if (shard == null) {
                throw new IllegalArgumentException("the write log names shard " + row.shard()
                        + ", which is not among the shards given: " + byId.keySet());
            }
            Map<Long, Long> versions = rowsByShard.computeIfAbsent(row.shard(), s -> new HashMap<>())
                    .computeIfAbsent(row.table(), table -> readVersions(shard, table));
            Long version = versions.get(row.key());
            RowState found = version == null ? RowState.ABSENT : RowState.present(version);
            if (!entry.getValue().allows(found)) {
                violations.add(row.table() + " " + row.key() + " on " + row.shard() + ": " + entry.getValue()
                        + ", found " + found);
            }
        }
        return new Report(expectations.size(), violations);
    }

    private static Map<RowKey, Expectation> expectations(WriteLog writeLog) {
        Map<RowKey, Write> lastAcknowledged = new LinkedHashMap<>();
        for (Write write : writeLog.acknowledged()) {
            lastAcknowledged.merge(rowOf(write), write, (a, b) -> b.version() > a.version() ? b : a);
        }
        Map<RowKey, Write> inDoubt = new HashMap<>();
        for (Write write : writeLog.inDoubt()) {
            inDoubt.merge(rowOf(write), write, (a, b) -> b.version() > a.version() ? b : a);
        }
        Set<RowKey> rows = new LinkedHashSet<>(lastAcknowledged.keySet());
        rows.addAll(inDoubt.keySet());
        Map<RowKey, Expectation> expectations = new LinkedHashMap<>();
        for (RowKey row : rows) {
            Write acknowledged = lastAcknowledged.get(row);
            Write doubt = inDoubt.get(row);
            if (doubt != null && acknowledged != null && doubt.version() < acknowledged.version()) {
                doubt = null; // superseded by a later acknowledged write
            }
            expectations.put(row, new Expectation(acknowledged, doubt));
        }
        return expectations;
    }

    private static RowKey rowOf(Write write) {
        return new RowKey(write.shard(), write.table(), write.key());
    }

    private static Map<Long, Long> readVersions(DatabaseShard shard, String table) {
        Map<Long, Long> versions = new HashMap<>();
        try (Connection connection = shard.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id, version FROM " + table)) {
            while (rows.next()) {
                versions.put(rows.getLong(1), rows.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(shard + ": cannot read " + table + " to check for lost writes: "
                    + e.getMessage(), e);
        }
        return versions;
    }
}
