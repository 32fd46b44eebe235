package dev.shardflow.jdbc;

/**
 * A rows-per-second limit for work that reads or writes shards beside the application (cleanup, verify, replay):
 * given how many rows are done since the start, says how long to wait so that the average stays at the limit. It
 * keeps no clock of its own, so it is exact to test; a limit of 0 never waits.
 */
public record Throttle(long rowsPerSecond) {

    public Throttle {
        if (rowsPerSecond < 0) {
            throw new IllegalArgumentException("rowsPerSecond must not be negative (0: no limit), was " + rowsPerSecond);
        }
    }

    public static Throttle unlimited() {
        return new Throttle(0);
    }

    /** Milliseconds to wait after {@code rows} rows that took {@code elapsedNanos}; 0 when not ahead of the limit. */
    public long waitMillis(long rows, long elapsedNanos) {
        if (rowsPerSecond <= 0) {
            return 0;
        }
        long dueNanos = (long) (rows * (1_000_000_000.0 / rowsPerSecond));
        return Math.max(0, (dueNanos - elapsedNanos) / 1_000_000);
    }
}
