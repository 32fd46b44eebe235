package dev.shardflow.rebalancer.streams;

import java.time.Duration;

/**
 * The commits the tasks of one Streams application ask for between its Streams commit intervals: at most one per
 * live interval on each stream thread. A commit that one task asks for commits every task of its thread in one
 * transaction, so a second request within the interval from another task would only add a commit — a flush, the
 * offsets and a marker per partition written — to a thread that already spends much of its time committing. The
 * tasks of a thread punctuate at their own moments, so without this each task with a live change asked for its own
 * commit, and a thread of many tasks committed several times per interval.
 */
final class ThreadCommits {
    private final Duration live;
    private final ThreadLocal<long[]> lastRequest = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE / 2});

    /** @param live the live interval; zero: no task asks, Streams' interval alone decides */
    ThreadCommits(Duration live) {
        this.live = live;
    }

    Duration live() {
        return live;
    }

    /** Whether a task of the calling thread may ask for a commit at {@code nowMs}; if so, the request is noted. */
    boolean mayAsk(long nowMs) {
        long[] last = lastRequest.get();
        if (nowMs - last[0] < live.toMillis()) {
            return false;
        }
        last[0] = nowMs;
        return true;
    }
}
