package dev.shardflow.router;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Which writes may run now, under one lock: a write is admitted to its key's owner unless the router's lease ran
 * out, the owner is being rebuilt, the caller's route is stale, or a cutover fence holds the key because it moves
 * (then it waits, up to the fence wait). Writes to moving keys are counted while they run, so that a fence is
 * acknowledged only once none is in flight. It keeps no thread of its own: the follower calls {@link #follow}, the
 * heartbeat {@link #awaitFenceToAcknowledge}.
 */
final class Admission {
    /** An admitted write: release it once it committed or failed. */
    record Ticket(String shard, long epoch, boolean moving) {}

    private final String routerId;
    private final Duration fenceWait;
    private final Duration lease;
    private final Timer pauses;
    private final LongSupplier nanoTime;
    private final Object lock = new Object();
    private Ownership ownership; // guarded by lock
    private int inFlightMoving; // guarded by lock
    private long lastContactNanos; // guarded by lock
    private Throwable failure; // guarded by lock

    Admission(String routerId, Ownership initial, Duration fenceWait, Duration lease, Timer pauses,
            LongSupplier nanoTime) {
        this.routerId = routerId;
        this.ownership = initial;
        this.fenceWait = fenceWait;
        this.lease = lease;
        this.pauses = pauses;
        this.nanoTime = nanoTime;
        this.lastContactNanos = nanoTime.getAsLong() - lease.toNanos() - 1; // no contact yet: the first beat starts the lease
    }

    Ownership ownership() {
        synchronized (lock) {
            return ownership;
        }
    }

    /** Kafka acknowledged a beat that left at {@code sentAtNanos}: the lease counts from then. */
    void contacted(long sentAtNanos) {
        synchronized (lock) {
            lastContactNanos = Math.max(lastContactNanos, sentAtNanos);
        }
    }

    /** The router stopped following the topology: every later write is refused, held ones wake up refused. */
    void fail(Throwable cause) {
        synchronized (lock) {
            failure = cause;
            lock.notifyAll();
        }
    }

    /** Routes by {@code next} from now on; held writes look again. */
    void follow(Ownership next) {
        synchronized (lock) {
            ownership = next;
            lock.notifyAll();
        }
    }

    Ticket admit(Object shardKey, Route route) {
        return admitAll(java.util.Collections.singletonList(shardKey), route).get(0);
    }

    /**
     * Admits writes to every key at once, or waits: while a fence holds any of them, none is admitted, so a
     * transaction never holds one moving key while it waits for another (which would keep the fence from ever being
     * acknowledged).
     */
    List<Ticket> admitAll(List<?> shardKeys, Route route) {
        long deadline = nanoTime.getAsLong() + fenceWait.toNanos();
        long heldSince = 0;
        synchronized (lock) {
            while (true) {
                if (failure != null) {
                    throw new RetryableRouteException.Unavailable("router " + routerId + " stopped following the "
                            + "topology (" + failure.getMessage() + "); start a new router");
                }
                long sinceContact = nanoTime.getAsLong() - lastContactNanos;
                if (sinceContact > lease.toNanos()) {
                    throw new RetryableRouteException.Unavailable("router " + routerId + " has not reached Kafka for "
                            + TimeUnit.NANOSECONDS.toMillis(sinceContact) + " ms, longer than its lease; it cannot "
                            + "know the owner of key " + shardKeys.get(0));
                }
                List<Ticket> tickets = new ArrayList<>(shardKeys.size());
                Object held = null;
                for (Object shardKey : shardKeys) {
                    String owner = ownership.placement().ownerOf(shardKey);
                    if (ownership.held().contains(owner)) {
                        throw new RetryableRouteException.Unavailable("shard " + owner + ", the owner of key "
                                + shardKey + ", is being rebuilt from the change topics; its writes are refused "
                                + "until that ends");
                    }
                    if (route != null && !route.shard().equals(owner)) {
                        throw new RetryableRouteException.StaleRoute("key " + shardKey + " was routed to "
                                + route.shard() + " at epoch " + route.epoch() + "; at epoch " + ownership.epoch()
                                + " its owner is " + owner + ": route it again");
                    }
                    boolean moving = ownership.placement().moving(shardKey, owner);
                    if (moving && ownership.fence() != null) {
                        held = shardKey;
                        break;
                    }
                    tickets.add(new Ticket(owner, ownership.epoch(), moving));
                }
                if (held != null) {
                    long left = deadline - nanoTime.getAsLong();
                    if (left <= 0) {
                        throw new RetryableRouteException.FenceTimeout("key " + held + " is held by cutover fence "
                                + ownership.fence() + " for longer than " + fenceWait.toMillis() + " ms");
                    }
                    heldSince = heldSince == 0 ? nanoTime.getAsLong() : heldSince;
                    try {
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RetryableRouteException.FenceTimeout("interrupted while key " + held
                                + " was held by a cutover fence");
                    }
                    continue;
                }
                if (heldSince != 0) {
                    pauses.record(nanoTime.getAsLong() - heldSince, TimeUnit.NANOSECONDS);
                }
                for (Ticket ticket : tickets) {
                    if (ticket.moving()) {
                        inFlightMoving++;
                    }
                }
                return tickets;
            }
        }
    }

    void release(Ticket ticket) {
        if (!ticket.moving()) {
            return;
        }
        synchronized (lock) {
            inFlightMoving--;
            if (inFlightMoving == 0 && ownership.fence() != null) {
                lock.notifyAll(); // the heartbeat acknowledges the fence now
            }
        }
    }

    /** What the next beat says: the epoch, and the fence acknowledged (none of its moving writes in flight). */
    Beat beat() {
        synchronized (lock) {
            return new Beat(ownership.epoch(), acknowledgeable(), inFlightMoving);
        }
    }

    record Beat(long epoch, String ackedFence, int inFlight) {}

    /**
     * Waits up to {@code max} for a fence to acknowledge other than {@code acknowledged}; returns the beat to send
     * then, at the latest when {@code max} passed.
     */
    Beat awaitFenceToAcknowledge(String acknowledged, Duration max) throws InterruptedException {
        synchronized (lock) {
            String fence = acknowledgeable();
            if (fence == null || Objects.equals(fence, acknowledged)) {
                lock.wait(max.toMillis());
            }
            return beat();
        }
    }

    // the one rule of acknowledging: a fence is in progress and no write of ours to a moving key is in flight
    private String acknowledgeable() {
        return ownership.fence() != null && inFlightMoving == 0 ? ownership.fence() : null;
    }
}
