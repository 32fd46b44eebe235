package dev.shardflow.bench.capture;

import dev.shardflow.bench.Headlines;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.capture.CaptureSettings;
import dev.shardflow.capture.ShardCapture;
import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Snapshot rows/s and streaming events/s of shardflow capture on a table of N rows (default 1,000,000), for a
 * PostgreSQL and a MariaDB shard, each next to two baselines measured in the same run: a bare Debezium engine with
 * the same settings that only counts records, and the raw Kafka produce rate of records of the same size.
 */
public final class CaptureBench {
    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private record Result(String engine, String phase, double bareRate, double shardflowRate) {}

    private CaptureBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String engines = args.length > 1 ? args[1] : "postgresql,mariadb";
        List<Result> results = new ArrayList<>();
        double produceRate;
        try (KafkaCluster kafka = KafkaClusters.start()) {
            produceRate = RawProduce.recordsPerSecond(kafka, rows, 300);
            if (engines.contains("postgresql")) {
                try (PostgresShard postgres = PostgresShard.start("pg-bench")) {
                    results.addAll(run(kafka, postgres, rows,
                            "INSERT INTO users SELECT g, 'user' || g, 'user' || g || '@example.com', 'US', now(), 1 "
                                    + "FROM generate_series(1, " + rows + ") g"));
                }
            }
            if (engines.contains("mariadb")) {
                try (MariaDbShard mariadb = MariaDbShard.start("maria-bench")) {
                    results.addAll(run(kafka, mariadb, rows,
                            "INSERT INTO users SELECT seq, CONCAT('user', seq), CONCAT('user', seq, '@example.com'), "
                                    + "'US', NOW(), 1 FROM seq_1_to_" + rows));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nengine settings: maxBatchSize %d, maxQueueSize %d, pollIntervalMs %d, "
                + "snapshotFetchSize %d; %,d rows%n", BATCH, QUEUE, POLL_MS, FETCH, rows);
        System.out.printf(Locale.ROOT, "raw Kafka produce (acks=all, idempotent, lz4, 300 B): %,.0f records/s%n",
                produceRate);
        System.out.printf(Locale.ROOT, "%-11s %-10s %18s %18s %12s %14s%n", "engine", "phase", "bare Debezium/s",
                "shardflow/s", "vs bare", "vs produce");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-11s %-10s %,18.0f %,18.0f %11.0f%% %13.0f%%%n", r.engine(), r.phase(),
                    r.bareRate(), r.shardflowRate(), 100 * r.shardflowRate() / r.bareRate(),
                    100 * r.shardflowRate() / produceRate);
        }
        for (Result r : results) {
            Headlines.ratio("capture." + r.engine() + "." + r.phase() + ".ratio", r.shardflowRate() / r.bareRate());
            Headlines.rate("capture." + r.engine() + "." + r.phase() + ".per_s", r.shardflowRate());
        }
    }

    private static List<Result> run(KafkaCluster kafka, DatabaseShard shard, int rows, String load) throws Exception {
        SampleSchema.applyTo(shard);
        long started = System.nanoTime();
        shard.execute(load);
        System.err.printf("%s: loaded %,d rows in %.1f s%n", shard.id(), rows, (System.nanoTime() - started) / 1e9);

        // Baseline: a bare engine with the same settings, counting records.
        Topology bareTopology = ShopTopology.of(List.of(shard), hashRing(shard), 0);
        Topology bare = new Topology("barebench", 0, "sf.barebench", bareTopology.tables(), bareTopology.shards(),
                bareTopology.strategy());
        // the engine's settings run capture's heartbeat, which writes to capture's control table
        dev.shardflow.capture.SourceControlTables.ensure(bare.shards().get(0), bare.shards().get(0).password()
                .resolve());
        AtomicLong counted = new AtomicLong();
        double bareSnapshot;
        double bareStreaming;
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
                .create(ChangeEventFormat.of(Connect.class))
                .using(bareProperties(tuned(CaptureOptions.defaults(bare, kafka.bootstrapServers())), shard))
                .notifying((records, committer) -> {
                    for (RecordChangeEvent<SourceRecord> record : records) {
                        if (record.record().value() instanceof Struct value && value.schema().field("op") != null) {
                            counted.incrementAndGet();
                        }
                        committer.markProcessed(record);
                    }
                    committer.markBatchFinished();
                })
                .build()) {
            executor.execute(engine);
            bareSnapshot = rate(counted::get, 0, rows, null);
            bareStreaming = rate(counted::get, rows, rows, () -> shard.execute("UPDATE users SET version = version + 1"));
        } finally {
            executor.shutdown();
            executor.awaitTermination(60, TimeUnit.SECONDS);
        }
        System.err.printf("%s: bare engine snapshot %,.0f rows/s, streaming %,.0f events/s%n", shard.id(),
                bareSnapshot, bareStreaming);

        Topology topology = ShopTopology.of(List.of(shard), hashRing(shard), 0);
        double snapshot;
        double streaming;
        try (CaptureService capture = new CaptureService(tuned(CaptureOptions.defaults(topology,
                kafka.bootstrapServers())).withReplicationFactor(1)).start()) {
            ShardCapture shardCapture = capture.shard(shard.id());
            // the products reference table (12 rows) is snapshotted too
            snapshot = rate(shardCapture::eventCount, 12, rows, null);
            streaming = rate(shardCapture::eventCount, rows + 12, rows,
                    () -> shard.execute("UPDATE users SET version = version + 1"));
        }
        System.err.printf("%s: shardflow snapshot %,.0f rows/s, streaming %,.0f events/s%n", shard.id(), snapshot,
                streaming);
        String engine = shard.engine().configName();
        return List.of(new Result(engine, "snapshot", bareSnapshot, snapshot),
                new Result(engine, "streaming", bareStreaming, streaming));
    }

    // The declared defaults, or the engine settings given as -Dbench.maxBatchSize=... and so on.
    private static final int BATCH = Integer.getInteger("bench.maxBatchSize",
            CaptureSettings.MAX_BATCH_SIZE.defaultValue());
    private static final int QUEUE = Integer.getInteger("bench.maxQueueSize",
            CaptureSettings.MAX_QUEUE_SIZE.defaultValue());
    private static final long POLL_MS = Long.getLong("bench.pollIntervalMs",
            CaptureSettings.POLL_INTERVAL_MS.defaultValue());
    private static final int FETCH = Integer.getInteger("bench.snapshotFetchSize",
            CaptureSettings.SNAPSHOT_FETCH_SIZE.defaultValue());

    private static CaptureOptions tuned(CaptureOptions options) {
        return options.withEngine(BATCH, QUEUE, POLL_MS, FETCH);
    }

    private static dev.shardflow.core.ring.HashRing hashRing(DatabaseShard shard) {
        return dev.shardflow.core.ring.HashRing.builder().shard(shard.id()).build();
    }

    private static Properties bareProperties(CaptureOptions options, DatabaseShard shard) {
        Properties p = EngineProperties.of(options, options.topology().shards().get(0), shard.password());
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("schema.history.internal", "io.debezium.relational.history.MemorySchemaHistory");
        return p;
    }

    /**
     * Events per second between the first event after {@code base} and the {@code count}-th; {@code trigger} runs
     * first (on its own thread, since a large UPDATE takes a while) to make the events happen.
     */
    private static double rate(LongSupplier events, long base, long count, Runnable trigger) throws InterruptedException {
        Thread triggering = null;
        if (trigger != null) {
            triggering = new Thread(trigger, "bench-trigger");
            triggering.start();
        }
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        long first = 0;
        while (events.getAsLong() < base + count) {
            if (first == 0 && events.getAsLong() > base) {
                first = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + (events.getAsLong() - base) + " of " + count
                        + " events within 10 minutes");
            }
            Thread.sleep(2);
        }
        long end = System.nanoTime();
        if (triggering != null) {
            triggering.join();
        }
        return (count - 1) / ((end - first) / 1e9);
    }
}
