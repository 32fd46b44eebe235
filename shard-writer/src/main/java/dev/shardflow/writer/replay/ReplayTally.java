package dev.shardflow.writer.replay;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counts of one replay run as it goes — the phase and table it is in, records read of those to read, rows left
 * to other shards or superseded, writes of the application seen meanwhile — and their report: to the listener
 * about every second, to the log every five.
 */
final class ReplayTally {
    private static final Logger log = LoggerFactory.getLogger(ReplayTally.class);

    private final String run;
    private final String shard;
    private final ShardReplay.Listener listener;
    private final LongSupplier applied;
    private final long started = System.nanoTime();
    private long lastReport;
    private long lastLog;
    String phase = "copy";
    String table = "";
    long recordsTotal;
    long recordsRead;
    long notOwned;
    long superseded;
    long applicationWrites;

    ReplayTally(String run, String shard, ShardReplay.Listener listener, LongSupplier applied) {
        this.run = run;
        this.shard = shard;
        this.listener = listener;
        this.applied = applied;
    }

    /** Tells the listener (and now and then the log) how far the run is; {@code force} says it now. */
    void report(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastReport < 1_000_000_000L) {
            return;
        }
        boolean logIt = now - lastLog >= 5_000_000_000L || force;
        lastReport = now;
        if (logIt) {
            lastLog = now;
        }
        double rate = recordsRead / Math.max(1e-3, seconds());
        long done = applied.getAsLong();
        ReplayProgress progress = new ReplayProgress(shard, phase, table, recordsRead, recordsTotal, done, rate);
        listener.progress(progress);
        if (logIt) {
            log.info("replay {} of {}: {} {} — {} of {} records ({} %), {} applied, {} records/s", run, shard, phase,
                    table, recordsRead, recordsTotal, Math.round(progress.fraction() * 100), done, Math.round(rate));
        }
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }
}
