package dev.shardflow.topology.workflow;

import dev.shardflow.core.topology.Topology;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a rebalance: deleting the rows the shards no longer own. It waits while copies may still be on
 * their way — the move runs, or the shards' writers have changes left — since those would come back after it;
 * then it deletes in batches ({@link Cleaner}), every shard at once (each at the cleanup throttle), and can be run
 * again after a crash.
 */
final class CleanupStep {
    private static final Logger log = LoggerFactory.getLogger(CleanupStep.class);

    private final MoveWatch moves;
    private final Cleaner cleaner;
    private String waitingFor; // said once per reason

    CleanupStep(MoveWatch moves, Cleaner cleaner) {
        this.moves = moves;
        this.cleaner = cleaner;
    }

    /** Cleans {@code shards} of the rows {@code owner} places elsewhere; the rows deleted, or empty while it waits. */
    Optional<Long> run(Rebalance rebalance, List<String> shards, Topology owner) {
        try {
            String waiting = moves.moveRunning(rebalance.id()) ? "the move still runs"
                    : moves.writerLag(shards) > 0 ? "the writers of " + shards + " have changes left to apply" : null;
            if (waiting != null) {
                if (!waiting.equals(waitingFor)) {
                    log.info("rebalance {}: cleanup waits: {}", rebalance.id(), waiting);
                    waitingFor = waiting;
                }
                return Optional.empty();
            }
            return Optional.of(cleanAll(rebalance, shards, owner));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("rebalance {}: cleanup of {} failed ({}); it resumes", rebalance.id(), shards, e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Cleans the shards side by side, one thread each: they are different databases, so none waits for another.
     * An interrupt of the caller stops every one between batches; a shard that fails fails the step once all are
     * done, and the next run finds only what is left.
     */
    private long cleanAll(Rebalance rebalance, List<String> shards, Topology owner) throws Exception {
        Thread caller = Thread.currentThread();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, shards.size()), task -> {
            Thread thread = new Thread(task, "cleanup-" + rebalance.id());
            thread.setDaemon(true);
            return thread;
        });
        try {
            Map<String, Future<Long>> running = new LinkedHashMap<>();
            for (String shard : shards) {
                var spec = owner.shard(shard).or(() -> rebalance.toTopology().shard(shard)).orElseThrow();
                running.put(shard, pool.submit(() -> cleaner.clean(spec, owner, caller::isInterrupted)));
            }
            long deleted = 0;
            Exception failure = null;
            for (Map.Entry<String, Future<Long>> shard : running.entrySet()) {
                try {
                    deleted += shard.getValue().get();
                } catch (ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception c ? c : e;
                    log.warn("rebalance {}: cleanup of {} failed ({})", rebalance.id(), shard.getKey(),
                            cause.getMessage());
                    failure = failure == null ? cause : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return deleted;
        } finally {
            pool.shutdownNow();
        }
    }
}
