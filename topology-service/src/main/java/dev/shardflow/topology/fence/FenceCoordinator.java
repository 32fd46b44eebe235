package dev.shardflow.topology.fence;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.contract.RouterBeat;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.topology.tx.TransactionRecovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The middle of a fenced cutover, after the fence is published and before the next epoch is committed: waits until
 * every live router holds the moving keys with none of its writes to them in flight, writes a marker row into
 * {@link ControlTables#FENCE} on every source shard — once the prepared branches that crashed coordinators left on
 * the sources are finished ({@link TransactionRecovery}), so that none commits behind a marker — and waits until the writers of every target shard have applied a
 * copy of each source's marker on every path it travels (each change partition the rebalancer reads it from, into
 * each partition of the target's apply topic). Then every write to a moving key acknowledged before the fence is in
 * place on its new owner. Any step that does not finish before the deadline fails the fence with the reason.
 */
public final class FenceCoordinator {
    private static final Logger log = LoggerFactory.getLogger(FenceCoordinator.class);

    private final RouterRoster routers;
    private final ShardConnections connections;
    private final MarkerPaths paths;
    private final Duration routerTimeout;
    private final TransactionRecovery transactions;
    // its own threads: a fence must not queue behind whatever else shares the common pool
    private final java.util.concurrent.ExecutorService markerWriters = java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
                Thread thread = new Thread(r, "fence-marker-writer");
                thread.setDaemon(true);
                return thread;
            });

    /** Why a fence did not complete; nothing was committed, and writes resume on the epoch in force. */
    public static final class FenceFailed extends Exception {
        private static final long serialVersionUID = 1L;

        public FenceFailed(String message) {
            super(message);
        }
    }

    public FenceCoordinator(RouterRoster routers, ShardConnections connections, Admin admin, Duration routerTimeout,
            TransactionRecovery transactions) {
        this.routers = routers;
        this.transactions = transactions;
        this.connections = connections;
        this.paths = new MarkerPaths(admin);
        this.routerTimeout = routerTimeout;
    }

    /**
     * @param in the topology in force, whose ring's shards are the sources
     * @param other the other side of the rebalance, which declares the shards {@code in} may not
     * @param targets the shards that must have applied the markers
     * @param epoch the epoch the markers are written under (the one the fence ends in)
     * @return when the fence passed each milestone, on its slowest path
     */
    public FenceTiming awaitFence(String fenceId, Topology in, Topology other, List<String> targets, long epoch,
            long deadlineNanos) throws FenceFailed, InterruptedException {
        // wall-clock milestones: the breakdown sets them against the stage times other processes recorded
        long startedMs = System.currentTimeMillis();
        awaitRouters(fenceId, deadlineNanos);
        long acknowledgedMs = System.currentTimeMillis();
        List<String> sources = in.strategy().shards();
        // a router that stopped beating a lease ago is gone, and so is whatever it was coordinating: its branches
        // are at least that old, and a live router's transactions on moving keys are over (it acknowledged)
        Optional<String> prepared = transactions.beforeMarkers(fenceId, sources, routerTimeout);
        if (prepared.isPresent()) {
            throw new FenceFailed(prepared.get());
        }
        writeMarkers(in, sources, fenceId, epoch);
        long writtenMs = System.currentTimeMillis();
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String target : targets) {
            long copies;
            try {
                copies = paths.copiesPerSource(in, target);
            } catch (IllegalStateException e) {
                throw new FenceFailed(e.getMessage());
            }
            expected.put(target, sources.size() * copies);
        }
        awaitApplied(fenceId, in, other, expected, deadlineNanos);
        long appliedMs = System.currentTimeMillis();
        log.info("fence {}: routers acknowledged after {} ms, markers written on {} after {} ms more, applied by {} "
                + "after {} ms more", fenceId, acknowledgedMs - startedMs, sources, writtenMs - acknowledgedMs,
                targets, appliedMs - writtenMs);
        return timing(fenceId, in, other, targets, acknowledgedMs, writtenMs, appliedMs);
    }

    /** The milestones of a fence that every target applied, with the stage times of the copy read last. */
    private FenceTiming timing(String fenceId, Topology in, Topology other, List<String> targets, long acknowledgedMs,
            long writtenMs, long appliedMs) {
        MarkerPaths.CopyTimes slowest = null;
        for (String target : targets) {
            try (Connection connection = connections.open(shardOf(in, other, target))) {
                for (MarkerPaths.CopyTimes copy : MarkerPaths.appliedTimes(connection, fenceId)) {
                    if (copy.readMs() != null && copy.capturedMs() != null
                            && (slowest == null || copy.readMs() > slowest.readMs())) {
                        slowest = copy;
                    }
                }
            } catch (SQLException | FenceFailed e) {
                log.debug("fence {}: cannot read the stage times on {} ({})", fenceId, target, e.getMessage());
            }
        }
        if (slowest == null) {
            return new FenceTiming(acknowledgedMs, writtenMs, null, List.of(), null, appliedMs, null);
        }
        return new FenceTiming(acknowledgedMs, writtenMs, slowest.capturedMs(), slowest.hopsMs(), slowest.readMs(),
                appliedMs, slowest.source() + " via " + slowest.path());
    }

    /** Opens a connection to each source ahead of a fence, so that writing the markers costs no connect. */
    public void warmUp(Topology in) {
        for (String source : in.strategy().shards()) {
            try (Connection connection = connections.open(in.shard(source).orElseThrow())) {
                connection.isValid(5);
            } catch (SQLException e) {
                log.warn("source {} is not reachable before the fence ({})", source, e.getMessage());
            }
        }
    }

    /** Writes the markers on every source at once: the pause lasts as long as the slowest. */
    private void writeMarkers(Topology in, List<String> sources, String fenceId, long epoch) throws FenceFailed {
        List<java.util.concurrent.Future<String>> writes = sources.stream().map(source -> markerWriters.submit(() -> {
            try {
                writeMarker(in.shard(source).orElseThrow(), fenceId, epoch);
                return (String) null;
            } catch (FenceFailed e) {
                return e.getMessage();
            }
        })).toList();
        for (var write : writes) {
            String failure;
            try {
                failure = write.get();
            } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                failure = "a marker write failed: " + e.getMessage();
            }
            if (failure != null) {
                throw new FenceFailed(failure);
            }
        }
    }

    private void awaitRouters(String fenceId, long deadlineNanos) throws FenceFailed, InterruptedException {
        while (true) {
            Map<String, RouterBeat> live = routers.live(System.currentTimeMillis(), routerTimeout.toMillis());
            List<String> waiting = live.values().stream().filter(b -> !fenceId.equals(b.ackedFence()))
                    .map(RouterBeat::router).sorted().toList();
            if (waiting.isEmpty()) {
                log.debug("fence {}: acknowledged by {} router(s)", fenceId, live.size());
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new FenceFailed("routers " + waiting + " did not acknowledge the fence in time (a write to a "
                        + "moving key still in flight, or a router that cannot reach Kafka)");
            }
            Thread.sleep(5);
        }
    }

    private void writeMarker(ShardSpec shard, String fenceId, long epoch) throws FenceFailed {
        try (Connection connection = connections.open(shard)) {
            MarkerPaths.write(connection, fenceId, epoch);
        } catch (SQLException e) {
            throw new FenceFailed("cannot write the fence marker on source " + shard.id() + ": " + e.getMessage());
        }
    }

    private void awaitApplied(String fenceId, Topology in, Topology other, Map<String, Long> expected,
            long deadlineNanos)
            throws FenceFailed, InterruptedException {
        Map<String, Long> applied = new LinkedHashMap<>();
        while (true) {
            boolean all = true;
            for (Map.Entry<String, Long> target : expected.entrySet()) {
                long count = appliedCopies(shardOf(in, other, target.getKey()), fenceId);
                applied.put(target.getKey(), count);
                all &= count >= target.getValue();
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                StringBuilder behind = new StringBuilder();
                expected.forEach((target, n) -> {
                    if (applied.getOrDefault(target, 0L) < n) {
                        behind.append(behind.length() == 0 ? "" : ", ").append(target).append(" applied ")
                                .append(applied.getOrDefault(target, 0L)).append(" of ").append(n);
                    }
                });
                throw new FenceFailed("the target writers did not apply the fence markers in time: " + behind
                        + " marker copies");
            }
            Thread.sleep(10);
        }
    }

    private static ShardSpec shardOf(Topology in, Topology other, String id) throws FenceFailed {
        return in.shard(id).or(() -> other.shard(id))
                .orElseThrow(() -> new FenceFailed("target shard " + id + " is not declared"));
    }

    private long appliedCopies(ShardSpec target, String fenceId) {
        try (Connection connection = connections.open(target)) {
            return MarkerPaths.appliedCopies(connection, fenceId);
        } catch (SQLException e) {
            log.debug("fence {}: cannot read what {} applied yet ({})", fenceId, target.id(), e.getMessage());
            return 0;
        }
    }
}
