package dev.shardflow.capture;

/**
 * When a shard's failed engine starts again: after a wait that doubles from 1 s up to a maximum, a bounded number of
 * times in a row. An engine that captured a change, or ran {@link #LONG_RUN_MS}, before it failed starts the count
 * again: it was working, and its failure is a new one.
 */
final class Restarts {
    static final long FIRST_WAIT_MS = 1_000;
    static final long LONG_RUN_MS = 600_000;

    private final int attempts;
    private final long maxWaitMs;
    private int inARow;
    private long total;

    /** @param attempts restarts in a row before the shard stays failed; @param maxWaitMs the longest wait */
    Restarts(int attempts, long maxWaitMs) {
        this.attempts = attempts;
        this.maxWaitMs = maxWaitMs;
    }

    /**
     * The wait before the next restart of an engine that failed after running {@code ranMs}, capturing
     * ({@code captured}) or not; -1 when the restarts in a row are used up.
     */
    synchronized long next(long ranMs, boolean captured) {
        if (captured || ranMs >= LONG_RUN_MS) {
            inARow = 0;
        }
        if (inARow >= attempts) {
            return -1;
        }
        inARow++;
        total++;
        return Math.min(maxWaitMs, FIRST_WAIT_MS << Math.min(inARow - 1, 20));
    }

    /** Restarts in a row so far, after the last one that worked. */
    synchronized int inARow() {
        return inARow;
    }

    /** Restarts since the shard's capture was created. */
    synchronized long total() {
        return total;
    }

    int attempts() {
        return attempts;
    }
}
