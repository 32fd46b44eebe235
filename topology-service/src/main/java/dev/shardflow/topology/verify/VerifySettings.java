package dev.shardflow.topology.verify;

import java.time.Duration;

/**
 * How a verify run reads.
 *
 * @param chunkRows rows per chunk on the owner; each chunk costs one watermark
 * @param rowsPerSecond the most rows read per second over all shards (0: no limit)
 * @param maxRechecks how many times keys that changed while they were compared are compared again
 * @param watermarkTimeout how long the other side's writers may take to apply a watermark before verify gives up
 * @param pendingChunks chunks read on the owner whose watermarks are still on their way; reading ahead keeps verify
 *     from waiting out the pipeline's latency once per chunk
 */
public record VerifySettings(int chunkRows, long rowsPerSecond, int maxRechecks, Duration watermarkTimeout,
        int pendingChunks) {

    public VerifySettings {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("verify.chunkRows must be at least 1, was " + chunkRows);
        }
        if (rowsPerSecond < 0) {
            throw new IllegalArgumentException("verify.rowsPerSecond must not be negative, was " + rowsPerSecond);
        }
        if (maxRechecks < 0) {
            throw new IllegalArgumentException("verify.maxRechecks must not be negative, was " + maxRechecks);
        }
        if (pendingChunks < 1) {
            throw new IllegalArgumentException("verify.pendingChunks must be at least 1, was " + pendingChunks);
        }
    }

    public static VerifySettings defaults() {
        return new VerifySettings(2_000, 100_000, 5, Duration.ofSeconds(60), 16);
    }

    public VerifySettings withChunkRows(int rows) {
        return new VerifySettings(rows, rowsPerSecond, maxRechecks, watermarkTimeout, pendingChunks);
    }

    public VerifySettings withRowsPerSecond(long rows) {
        return new VerifySettings(chunkRows, rows, maxRechecks, watermarkTimeout, pendingChunks);
    }
}
