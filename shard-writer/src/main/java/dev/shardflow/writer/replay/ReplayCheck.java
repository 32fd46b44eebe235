package dev.shardflow.writer.replay;

import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.RowImage;
import dev.shardflow.jdbc.RowReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The end of a replay: every row of the shard compared with the image the log last has of it (by the hash of the
 * canonical encoding of the row as the writer would write it). A row that differs may have been written since the
 * last watermark; such rows are compared again after the log caught up with a new one, a bounded number of times,
 * and what still differs then is reported. Rows the log does not hold at all are counted as newer than the log.
 */
final class ReplayCheck {
    private static final int CHUNK_ROWS = 5_000;
    private static final int SAMPLE = 10;

    record Result(long rowsChecked, long mismatches, List<String> sample, long newerThanLog) {}

    /** Catches the log up with a new watermark. */
    @FunctionalInterface
    interface CatchUp {
        void run() throws InterruptedException;
    }

    private final ShardSpec shard;
    private final Topology topology;
    private final DataSource pool;
    private final Map<String, RowLedger> ledgers;
    private final List<TableSpec> tables;
    private final int maxRechecks;

    /** @param tables the tables to check: those of {@code topology}, or a view's table */
    ReplayCheck(ShardSpec shard, Topology topology, List<TableSpec> tables, DataSource pool,
            Map<String, RowLedger> ledgers, int maxRechecks) {
        this.shard = shard;
        this.topology = topology;
        this.tables = List.copyOf(tables);
        this.pool = pool;
        this.ledgers = ledgers;
        this.maxRechecks = maxRechecks;
    }

    Result run(CatchUp catchUp) throws SQLException, InterruptedException {
        long checked = 0;
        long newer = 0;
        Map<String, Map<String, String>> suspects = new LinkedHashMap<>();
        for (TableSpec table : tables) {
            RowLedger ledger = ledgers.get(table.name());
            Set<String> seen = new HashSet<>();
            Map<String, String> differing = new LinkedHashMap<>();
            long[] counts = new long[2];
            scan(table, row -> {
                Long expected = ledger.expected(row.key());
                if (expected == null) {
                    counts[1] += owned(table, row) ? 1 : 0;
                    return;
                }
                seen.add(row.key());
                counts[0]++;
                String problem = compare(expected, row);
                if (problem != null) {
                    differing.put(row.key(), problem);
                }
            });
            checked += counts[0];
            newer += counts[1];
            for (Map.Entry<String, Long> row : ledger.expected().entrySet()) {
                if (row.getValue() != RowLedger.DELETED && !seen.contains(row.getKey())) {
                    checked++;
                    differing.put(row.getKey(), "missing on the shard");
                }
            }
            if (!differing.isEmpty()) {
                suspects.put(table.name(), differing);
            }
        }
        for (int round = 1; round <= maxRechecks && !suspects.isEmpty(); round++) {
            catchUp.run();
            for (String table : List.copyOf(suspects.keySet())) {
                TableSpec spec = tables.stream().filter(t -> t.name().equals(table)).findFirst().orElseThrow();
                Map<String, String> still = recheck(spec, suspects.get(table));
                if (still.isEmpty()) {
                    suspects.remove(table);
                } else {
                    suspects.put(table, still);
                }
            }
        }
        List<String> sample = new ArrayList<>();
        long mismatches = 0;
        for (Map.Entry<String, Map<String, String>> table : suspects.entrySet()) {
            mismatches += table.getValue().size();
            table.getValue().entrySet().stream().limit(Math.max(0, SAMPLE - sample.size()))
                    .forEach(e -> sample.add(table.getKey() + " " + e.getKey() + ": " + e.getValue()));
        }
        return new Result(checked, mismatches, sample, newer);
    }

    private Map<String, String> recheck(TableSpec table, Map<String, String> suspects) throws SQLException {
        RowLedger ledger = ledgers.get(table.name());
        Map<String, String> still = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        scan(table, row -> {
            if (suspects.containsKey(row.key())) {
                seen.add(row.key());
                String problem = compare(ledger.expected(row.key()), row);
                if (problem != null) {
                    still.put(row.key(), problem);
                }
            }
        });
        for (String key : suspects.keySet()) {
            Long expected = ledger.expected(key);
            if (!seen.contains(key) && expected != null && expected != RowLedger.DELETED) {
                still.put(key, "missing on the shard");
            }
        }
        return still;
    }

    private static String compare(Long expected, RowImage row) {
        if (expected == null) {
            return null;
        }
        if (expected == RowLedger.DELETED) {
            return "deleted in the log, present on the shard";
        }
        return expected == row.hash() ? null : "differs from the log's last image";
    }

    private boolean owned(TableSpec table, RowImage row) {
        return table.placement() == TableSpec.Placement.REFERENCE || row.placementKey() != null
                && topology.strategy().ownerOf(row.placementKey()).equals(shard.id());
    }

    /** Hands every row of the table on the shard to {@code each}, a chunk in memory at a time. */
    private void scan(TableSpec table, java.util.function.Consumer<RowImage> each) throws SQLException {
        RowReader reader = new RowReader(shard, table, topology);
        try (Connection connection = RowReader.prepare(pool.getConnection(), shard)) {
            connection.setAutoCommit(true);
            List<Object> from = null;
            do {
                List<Object> upTo = reader.chunkEnd(connection, from, CHUNK_ROWS);
                reader.read(connection, from, upTo).forEach(each);
                from = upTo;
            } while (from != null);
        }
    }
}
