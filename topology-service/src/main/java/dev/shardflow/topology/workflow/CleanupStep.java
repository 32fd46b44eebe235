package dev.shardflow.topology.workflow;

import dev.shardflow.core.topology.Topology;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a rebalance: deleting the rows the shards no longer own. It waits while copies may still be on
 * their way — the move runs, or the shards' writers have changes left — since those would come back after it;
 * then it deletes in batches ({@link Cleaner}) and can be run again after a crash.
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
            long deleted = 0;
            for (String shard : shards) {
                var spec = owner.shard(shard).or(() -> rebalance.toTopology().shard(shard)).orElseThrow();
                deleted += cleaner.clean(spec, owner, () -> Thread.currentThread().isInterrupted());
            }
            return Optional.of(deleted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("rebalance {}: cleanup of {} failed ({}); it resumes", rebalance.id(), shards, e.getMessage());
        }
        return Optional.empty();
    }
}
