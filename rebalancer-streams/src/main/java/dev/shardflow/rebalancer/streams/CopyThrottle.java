package dev.shardflow.rebalancer.streams;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The most change records per second a move takes from its change topics, shared by every stream thread of the
 * move and changed while it runs ({@code shardctl rebalance throttle}). Each record takes the next free slot,
 * {@code 1/rate} seconds after the last one; a thread whose slot is ahead waits for it. With no limit (0) nothing
 * waits and nothing is shared but one volatile read.
 */
public final class CopyThrottle {
    /** A slot is never reserved further ahead than this: a lower rate set meanwhile takes effect at once. */
    private static final long MAX_AHEAD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private volatile long rowsPerSecond;
    private final AtomicLong nextSlot = new AtomicLong(System.nanoTime());
    private final LongAdder taken = new LongAdder();

    /** No limit. */
    public static CopyThrottle unlimited() {
        return new CopyThrottle();
    }

    /** @param rows the most records per second; 0 for no limit */
    public void setRate(long rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows per second must be 0 (no limit) or positive, was " + rows);
        }
        if (rows != rowsPerSecond) {
            nextSlot.set(System.nanoTime());
            rowsPerSecond = rows;
        }
    }

    public long rate() {
        return rowsPerSecond;
    }

    /** How many records the move has taken from its change topics so far (in this process). */
    public long taken() {
        return taken.sum();
    }

    /** Waits until this record's slot comes; returns at once without a limit. */
    public void admit() {
        taken.increment();
        long rate = rowsPerSecond;
        if (rate <= 0) {
            return;
        }
        long interval = Math.max(1, TimeUnit.SECONDS.toNanos(1) / rate);
        long now = System.nanoTime();
        long slot = nextSlot.getAndUpdate(next -> Math.max(next, now - MAX_AHEAD_NANOS) + interval);
        long wait = Math.max(slot, now - MAX_AHEAD_NANOS) - now;
        while (wait > 0) {
            LockSupport.parkNanos(Math.min(wait, MAX_AHEAD_NANOS));
            if (Thread.currentThread().isInterrupted() || rowsPerSecond != rate) {
                return; // stopping, or a new rate: its own slots from now
            }
            wait = slot - System.nanoTime();
        }
    }
}
