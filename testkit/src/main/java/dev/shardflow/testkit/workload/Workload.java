package dev.shardflow.testkit.workload;

import dev.shardflow.testkit.db.DatabaseShard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts, updates and deletes users, orders and order items of the sample schema on a set of shards, at a chosen
 * rate, one writer thread per shard, and records in a {@link WriteLog} every write each database acknowledged, so
 * that a test can later prove none was lost ({@link NoLossCheck}). A shard that is down only slows its own
 * writer: its writes are refused until it is back, and the other shards carry on.
 *
 * <p>Users go to the shard the router names for their id; orders and their items go with their user. Every write
 * gives the row a version one above the last, so a reader can tell which write it sees. A row whose write ended in
 * doubt is never written again, so its final state is one of exactly two.
 */
public final class Workload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workload.class);

    private final Map<String, ShardWriter> writers = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean started;

    private Workload(Builder builder) {
        Ids ids = new Ids(new AtomicLong(builder.firstId), new AtomicLong(builder.firstId),
                new AtomicLong(builder.firstId));
        double perShardRate = (double) builder.writesPerSecond / builder.shards.size();
        long seed = builder.seed;
        for (DatabaseShard shard : builder.shards) {
            writers.put(shard.id(), new ShardWriter(shard, builder.router, ids, perShardRate, seed++));
        }
    }

    public static Builder builder(List<? extends DatabaseShard> shards) {
        return new Builder(shards);
    }

    /** How much to write, and where. */
    public static final class Builder {
        private final List<? extends DatabaseShard> shards;
        private int writesPerSecond = 200;
        private long firstId = 1;
        private long seed = 42;
        private LongFunction<String> router;

        private Builder(List<? extends DatabaseShard> shards) {
            if (shards.isEmpty()) {
                throw new IllegalArgumentException("a workload needs at least one shard");
            }
            this.shards = List.copyOf(shards);
            List<String> ids = this.shards.stream().map(DatabaseShard::id).toList();
            // Default: spread user ids evenly; a test that routes with a ring passes its ownerOf instead.
            this.router = userId -> ids.get(Math.floorMod(Long.hashCode(userId * 0x9E3779B97F4A7C15L), ids.size()));
        }

        /** Transactions per second over all shards (default 200). */
        public Builder writesPerSecond(int writesPerSecond) {
            if (writesPerSecond <= 0) {
                throw new IllegalArgumentException("writesPerSecond must be positive, was " + writesPerSecond);
            }
            this.writesPerSecond = writesPerSecond;
            return this;
        }

        /** The shard id that owns a user id; it must name one of the workload's shards. */
        public Builder router(LongFunction<String> userIdToShardId) {
            this.router = userIdToShardId;
            return this;
        }

        /** The first id of every table (default 1); workloads sharing shards need disjoint ranges. */
        public Builder firstId(long firstId) {
            this.firstId = firstId;
            return this;
        }

        /** The seed of the random choices, so a run can be repeated (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Workload build() {
            return new Workload(this);
        }
    }

    /** The next free id of each table, shared by the writers so ids are unique across shards. */
    record Ids(AtomicLong users, AtomicLong orders, AtomicLong orderItems) {}

    public synchronized Workload start() {
        if (started) {
            throw new IllegalStateException("workload already started");
        }
        started = true;
        writers.forEach((shardId, writer) -> {
            Thread thread = new Thread(writer, "workload-" + shardId);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        });
        log.info("workload started on shards {}", writers.keySet());
        return this;
    }

    /** Stops every writer and waits for its last write to finish. */
    public synchronized void stop() {
        if (threads.isEmpty()) {
            return;
        }
        writers.values().forEach(ShardWriter::requestStop);
        for (Thread thread : threads) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
        writers.forEach((shardId, writer) -> log.info("workload on {}: {}", shardId, writer.stats()));
    }

    @Override
    public void close() {
        stop();
    }

    /** What the writer of one shard has done so far. */
    public WorkloadStats stats(String shardId) {
        ShardWriter writer = writers.get(shardId);
        if (writer == null) {
            throw new IllegalArgumentException("no shard " + shardId + " in this workload; it has " + writers.keySet());
        }
        return writer.stats();
    }

    /** Every write sent so far; call after {@link #stop()} for the complete log. */
    public WriteLog writeLog() {
        List<Write> acknowledged = new ArrayList<>();
        List<Write> inDoubt = new ArrayList<>();
        for (ShardWriter writer : writers.values()) {
            writer.appendTo(acknowledged, inDoubt);
        }
        return new WriteLog(acknowledged, inDoubt);
    }
}
