package dev.shardflow.bench.cleanup;

import dev.shardflow.bench.Headlines;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.workload.RawUsers;
import dev.shardflow.topology.TopologySettings;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.topology.workflow.Cleaner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deleted rows/s of the cleanup that completes a rebalance, on one old owner of a 4 → 5 move: the shard holds the
 * {@code users} rows it owns among four shards, and cleanup deletes those a fifth shard now owns (about a fifth),
 * with its default batch and throttle. The baseline deletes the same keys, known in advance, with a plain loop of
 * 500-key {@code DELETE ... WHERE id IN (...)} statements committed every 4,000 keys. The three are interleaved over
 * {@value #ROUNDS} rounds; medians are the figures.
 */
public final class CleanupBench {
    private static final int KEYS_PER_STATEMENT = 500;
    private static final int KEYS_PER_TRANSACTION = 4_000;

    /** Rounds of each measurement; the figures are their medians, their spread is printed. */
    private static final int ROUNDS = 3;

    private record Result(String engine, long deleted, double raw, double cleanup, double unthrottled) {}

    private CleanupBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        String engines = args.length > 1 ? args[1] : "postgresql,mariadb";
        List<Result> results = new ArrayList<>();
        if (engines.contains("postgresql")) {
            try (PostgresShard shard = PostgresShard.start("pg-cleanup")) {
                results.add(run(shard, rows));
            }
        }
        if (engines.contains("mariadb")) {
            try (MariaDbShard shard = MariaDbShard.start("maria-cleanup")) {
                results.add(run(shard, rows));
            }
        }
        long throttle = TopologySettings.CLEANUP_ROWS_PER_SECOND.defaultValue();
        System.out.printf(Locale.ROOT, "%nusers rows the shard owns among 4 of 1..%,d; cleanup.batchRows %d, "
                + "cleanup.rowsPerSecond %,d%n", rows, TopologySettings.CLEANUP_BATCH_ROWS.defaultValue(), throttle);
        System.out.printf(Locale.ROOT, "%-11s %10s %16s %16s %8s %18s%n", "engine", "deleted", "raw delete/s",
                "cleanup/s", "ratio", "no throttle/s");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-11s %,10d %,16.0f %,16.0f %7.0f%% %,18.0f%n", r.engine(), r.deleted(),
                    r.raw(), r.cleanup(), 100 * r.cleanup() / r.raw(), r.unthrottled());
        }
        results.forEach(r -> Headlines.ratioAndRate("cleanup." + r.engine(), r.cleanup() / r.raw(), "rows_per_s",
                r.cleanup()));
    }

    private static Result run(DatabaseShard shard, int rows) throws Exception {
        SampleSchema.applyTo(shard);
        ShardSpec spec = ShopTopology.of(List.of(shard)).shards().get(0);
        Topology four = ring(1, List.of(shard.id(), "b", "c", "d"));
        Topology five = ring(2, List.of(shard.id(), "b", "c", "d", "e"));
        List<Map<String, Object>> owned = new ArrayList<>();
        List<Long> leaving = new ArrayList<>();
        for (long id = 1; id <= rows; id++) {
            if (four.strategy().ownerOf(id).equals(shard.id())) {
                owned.add(ShopTopology.userRow(id, 1));
                if (!five.strategy().ownerOf(id).equals(shard.id())) {
                    leaving.add(id);
                }
            }
        }
        List<Double> raw = new ArrayList<>();
        List<Double> cleanup = new ArrayList<>();
        List<Double> unthrottled = new ArrayList<>();
        try (ShardConnections connections = new ShardConnections()) {
            // the three interleaved, each on the same rows put back, so that a slow moment of the machine does not
            // fall on one of them only
            for (int round = 0; round < ROUNDS; round++) {
                RawUsers.upsert(shard, "users", owned);
                raw.add(rawDelete(shard, leaving));
                RawUsers.upsert(shard, "users", owned);
                cleanup.add(clean(connections, spec, five, TopologySettings.CLEANUP_ROWS_PER_SECOND.defaultValue(),
                        leaving.size()));
                RawUsers.upsert(shard, "users", owned);
                unthrottled.add(clean(connections, spec, five, 0, leaving.size()));
            }
        }
        System.out.printf(Locale.ROOT, "%s: %,d of %,d rows deleted, %d rounds (rows/s): raw delete %s, cleanup at its "
                + "default throttle %s, without the throttle %s%n", shard.engine().configName(), leaving.size(),
                owned.size(), ROUNDS, spread(raw), spread(cleanup), spread(unthrottled));
        return new Result(shard.engine().configName(), leaving.size(), median(raw), median(cleanup),
                median(unthrottled));
    }

    /** Deleted rows/s of one cleanup of the shard at {@code rowsPerSecond}, which must delete {@code expected} rows. */
    private static double clean(ShardConnections connections, ShardSpec spec, Topology owner, long rowsPerSecond,
            int expected) throws Exception {
        long started = System.nanoTime();
        long deleted = new Cleaner(connections, TopologySettings.CLEANUP_BATCH_ROWS.defaultValue(), rowsPerSecond)
                .clean(spec, owner, () -> false);
        double rate = deleted / seconds(started);
        if (deleted != expected) {
            throw new IllegalStateException("cleanup deleted " + deleted + " rows, not the " + expected
                    + " the new ring places elsewhere");
        }
        return rate;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String spread(List<Double> values) {
        return String.format(Locale.ROOT, "%,.0f (%s)", median(values), String.join(" / ", values.stream()
                .map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList()));
    }

    /** A topology of these shards, where only {@code shard} is real: the others only own keys. */
    private static Topology ring(long epoch, List<String> ids) {
        return TopologyLoader.parse(ShopTopology.routingDocument(epoch, ids), "bench", Map.of());
    }

    /** The baseline: the keys known in advance, ascending, in 500-key deletes committed every 4,000. */
    private static double rawDelete(DatabaseShard shard, List<Long> keys) throws Exception {
        long started = System.nanoTime();
        try (Connection connection = shard.connect()) {
            connection.setAutoCommit(false);
            for (int from = 0; from < keys.size(); from += KEYS_PER_STATEMENT) {
                List<Long> batch = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_STATEMENT));
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM users WHERE id IN ("
                        + String.join(", ", Collections.nCopies(batch.size(), "?")) + ")")) {
                    for (int i = 0; i < batch.size(); i++) {
                        delete.setLong(i + 1, batch.get(i));
                    }
                    delete.executeUpdate();
                }
                if ((from + KEYS_PER_STATEMENT) % KEYS_PER_TRANSACTION == 0) {
                    connection.commit();
                }
            }
            connection.commit();
        }
        return keys.size() / seconds(started);
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
