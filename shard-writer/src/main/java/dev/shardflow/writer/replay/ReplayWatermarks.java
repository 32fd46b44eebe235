package dev.shardflow.writer.replay;

import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.retry.Backoff;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replay's watermarks: marker rows it writes on the shard, which capture places in every change topic after what
 * the shard committed before, so that reading each topic up to one of them reads everything written until then.
 */
final class ReplayWatermarks {
    private static final Logger log = LoggerFactory.getLogger(ReplayWatermarks.class);
    /**
     * How long a read waits for a watermark before it writes another: briefly at first, since capture that has just
     * started (a shard being rebuilt) misses the first one, then up to every few seconds.
     */
    private static final Backoff MARKER_RETRY = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(5));

    private final String run;
    private final ShardSpec shard;
    private final long epoch;
    private final Duration markerTimeout;
    private final HikariDataSource pool;
    private final ReplayTally tally;
    private int markers;

    ReplayWatermarks(String run, ShardSpec shard, long epoch, Duration markerTimeout, HikariDataSource pool,
            ReplayTally tally) {
        this.run = run;
        this.shard = shard;
        this.epoch = epoch;
        this.markerTimeout = markerTimeout;
        this.pool = pool;
        this.tally = tally;
    }

    private String markerPrefix() {
        return "replay-" + run + "-";
    }

    private String writeMarker() {
        String marker = markerPrefix() + (++markers);
        try (Connection connection = pool.getConnection();
                PreparedStatement insert = connection.prepareStatement(ControlTables.FENCE_INSERT)) {
            connection.setAutoCommit(true);
            insert.setString(1, marker);
            insert.setLong(2, epoch);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new ReplayException("cannot write the watermark " + marker + " on " + shard.id() + " ("
                    + e.getMessage() + "); capture creates " + ControlTables.FENCE + ": start capture of "
                    + shard.id() + " before replaying", e);
        }
        return marker;
    }

    /**
     * Writes a watermark on the shard and reads every topic to it. A watermark written before capture captures the
     * recreated tables never arrives, so while none has arrived a new one is written, at first after half a second,
     * then up to every few seconds; any of this run's watermarks from the first one on ends the read.
     */
    void readToWatermark(List<TableSpec> tables, Map<String, LogReader> readers,
            Function<TableSpec, LogReader.Sink> sinks) throws InterruptedException {
        String first = writeMarker();
        int from = markers;
        Predicate<String> ours = id -> id.startsWith(markerPrefix())
                && Integer.parseInt(id.substring(markerPrefix().length())) >= from;
        long deadline = System.nanoTime() + markerTimeout.toNanos();
        for (TableSpec spec : tables) {
            tally.table = spec.name();
            int retries = 0;
            while (true) {
                long attempt = Math.min(deadline, System.nanoTime() + MARKER_RETRY.delay(retries + 1).toNanos());
                try {
                    readers.get(spec.name()).readToMarker(shard.id(), ours, attempt, sinks.apply(spec));
                    break;
                } catch (ReplayException late) {
                    if (System.nanoTime() >= deadline) {
                        throw new ReplayException(late.getMessage() + " (watermarks from " + first + " on, waited "
                                + markerTimeout.toSeconds() + " s)", late);
                    }
                    retries++;
                    log.info("replay {} of {}: no watermark in {} yet; writing another", run, shard.id(),
                            spec.name());
                    writeMarker();
                }
            }
        }
    }
}
