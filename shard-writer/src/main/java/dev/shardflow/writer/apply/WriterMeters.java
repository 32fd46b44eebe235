package dev.shardflow.writer.apply;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The figures of one writer, in Micrometer and for its periodic log line: rows written per table
 * ({@code shardflow.writer.rows}, its rate is rows/s), batch latency ({@code shardflow.writer.batch}), changes sent
 * to the dead-letter topic ({@code shardflow.writer.dlq}), superseded changes and retries.
 */
public final class WriterMeters {
    private final MeterRegistry registry;
    private final String shard;
    private final Map<String, Counter> rows = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rowsSinceLog = new ConcurrentHashMap<>();
    private final Timer batches;
    private final DistributionSummary batchSizes;
    private final AtomicLong batchesSinceLog = new AtomicLong();
    private final AtomicLong changesSinceLog = new AtomicLong();
    private final AtomicLong batchNanosSinceLog = new AtomicLong();
    private final Counter deadLetters;
    private final Counter superseded;
    private final Counter retries;

    public WriterMeters(MeterRegistry registry, String shard) {
        this.registry = registry;
        this.shard = shard;
        this.batches = Timer.builder("shardflow.writer.batch").tag("shard", shard).publishPercentiles(0.5, 0.99)
                .description("time to apply one batch, commit included").register(registry);
        this.batchSizes = DistributionSummary.builder("shardflow.writer.batch.changes").tag("shard", shard)
                .description("changes per batch, before collapsing to the newest per row").register(registry);
        this.deadLetters = Counter.builder("shardflow.writer.dlq").tag("shard", shard)
                .description("changes sent to the dead-letter topic").register(registry);
        this.superseded = Counter.builder("shardflow.writer.superseded").tag("shard", shard)
                .description("changes not written because the batch or the target held a newer version").register(registry);
        this.retries = Counter.builder("shardflow.writer.retries").tag("shard", shard)
                .description("batches retried because the target could not be reached").register(registry);
    }

    void batchApplied(int changes, BatchApplier.Outcome outcome, Duration took) {
        batches.record(took);
        batchSizes.record(changes);
        batchesSinceLog.incrementAndGet();
        changesSinceLog.addAndGet(changes);
        batchNanosSinceLog.addAndGet(took.toNanos());
        outcome.writtenPerTable().forEach((table, n) -> {
            rows.computeIfAbsent(table, t -> Counter.builder("shardflow.writer.rows").tag("shard", shard)
                    .tag("table", t).description("changes written to the target").register(registry)).increment(n);
            rowsSinceLog.computeIfAbsent(table, t -> new AtomicLong()).addAndGet(n);
        });
        superseded.increment(outcome.superseded());
    }

    void deadLettered(int count) {
        deadLetters.increment(count);
    }

    void retried() {
        retries.increment();
    }

    public long rowsWritten() {
        return (long) rows.values().stream().mapToDouble(Counter::count).sum();
    }

    public long deadLettered() {
        return (long) deadLetters.count();
    }

    public long retries() {
        return (long) retries.count();
    }

    /** Rows per second per table since the last call, for the log; empty if nothing was written. */
    String ratesSince(Duration elapsed) {
        Map<String, Long> rates = new TreeMap<>();
        rowsSinceLog.forEach((table, n) -> rates.put(table, n.getAndSet(0) * 1000 / Math.max(1, elapsed.toMillis())));
        long batchCount = batchesSinceLog.getAndSet(0);
        long changes = changesSinceLog.getAndSet(0);
        long nanos = batchNanosSinceLog.getAndSet(0);
        if (batchCount == 0) {
            return "";
        }
        return "rows/s " + rates + "; " + batchCount + " batches of " + changes / batchCount + " changes on average, "
                + nanos / batchCount / 1_000_000 + " ms each";
    }
}
