package dev.shardflow.topology.workflow;

import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.topology.fence.FenceCoordinator;
import dev.shardflow.topology.fence.FenceTiming;
import dev.shardflow.topology.workflow.Rebalance.FenceAttempt;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step behind a fence — a cutover, or a rollback after one: the fence is published, routers hold writes to the
 * moving keys and markers travel to the side changes flow to; once all arrived, the step's new state is committed
 * and the fence lifted in the same write. A fence that fails or times out is withdrawn, and writes resume on the
 * epoch in force: nothing is lost, and the operator can try again.
 */
final class FencedStep {
    private static final Logger log = LoggerFactory.getLogger(FencedStep.class);

    private final Supplier<TopologyState> state;
    private final BiFunction<TopologyState, Rebalance, Rebalance> commit;
    private final FenceCoordinator fences;
    private final WorkflowSettings settings;
    private final Consumer<FenceAttempt> pauses;

    /**
     * @param state the topology state in force
     * @param commit the workflow's one way to change it: publishes a state (or null) with a rebalance
     */
    FencedStep(Supplier<TopologyState> state, BiFunction<TopologyState, Rebalance, Rebalance> commit,
            FenceCoordinator fences, WorkflowSettings settings, Consumer<FenceAttempt> pauses) {
        this.state = state;
        this.commit = commit;
        this.fences = fences;
        this.settings = settings;
        this.pauses = pauses;
    }

    /**
     * Publishes a fence, waits for routers and markers ({@link FenceCoordinator}), and commits {@code after} — or,
     * when the fence fails or times out, withdraws it and returns the rebalance to {@code back}.
     *
     * @param forcedAlthough why the step would have been refused had the operator not forced it, or null
     */
    Rebalance run(Rebalance rebalance, boolean reverse, RebalanceState during, RebalanceState back,
            List<String> targets, long markerEpoch, TopologyState after, RebalanceState next, String note,
            String forcedAlthough) {
        fences.warmUp(state.get().currentTopology());
        String fenceId = rebalance.id() + "-f" + (rebalance.fences().size() + 1);
        FenceAttempt attempt = new FenceAttempt(fenceId, reverse, now(), null, null, null, null,
                forcedAlthough == null ? null : Boolean.TRUE, null, null);
        String forced = forcedAlthough == null ? "" : " (forced by the operator although " + forcedAlthough + ")";
        TopologyState fenced = state.get().withFence(fenceId);
        Rebalance fencing = commit.apply(fenced, rebalance.to(during, (reverse ? "reverse " : "") + "fence "
                + fenceId + " published" + forced, now()).withFence(attempt, now()));
        long deadline = System.nanoTime() + settings.fenceTimeout().toNanos();
        FenceTiming timing;
        try {
            timing = fences.awaitFence(fenceId, fenced.currentTopology(), fenced.otherTopology(), targets,
                    markerEpoch, deadline);
        } catch (FenceCoordinator.FenceFailed | RuntimeException e) {
            return abort(fencing, back, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return abort(fencing, back, "interrupted");
        }
        FenceAttempt done = attempt.end(now(), "committed", null);
        Rebalance committed = commit.apply(after, fencing.withFence(done, now()).to(next, note + forced
                + "; writes to moving keys held " + done.pauseMs() + " ms", now()));
        // the pause ends once the next epoch is written, which only then is known: the fence's end and breakdown are
        // recorded in a write of the rebalance alone, which routers do not wait for
        long endedMs = now();
        done = attempt.end(endedMs, "committed", null).withPhases(timing.phases(attempt.startedAtMs(), endedMs),
                timing.slowestPath());
        committed = commit.apply(null, committed.withFence(done, endedMs));
        pauses.accept(done);
        log.info("rebalance {}: {} (fence {} held writes to moving keys {} ms: {}; slowest marker copy {})",
                rebalance.id(), note, fenceId, done.pauseMs(), done.phasesMs(), done.slowestPath());
        return committed;
    }

    /** Withdraws the open fence of {@code fencing}, records why, and refuses the step with that reason. */
    Rebalance abort(Rebalance fencing, RebalanceState back, String reason) {
        FenceAttempt open = fencing.openFence();
        FenceAttempt aborted = open.end(now(), "aborted", reason);
        log.warn("rebalance {}: fence {} aborted ({}); writes resume on epoch {}", fencing.id(), open.id(), reason,
                state.get().currentTopology().epoch());
        Rebalance back2 = commit.apply(state.get().withFence(null), fencing.withFence(aborted, now())
                .to(back, "fence " + open.id() + " aborted: " + reason, now()).withError("fence " + open.id()
                        + " aborted: " + reason + "; nothing was lost, writes resumed on the epoch in force; cut over "
                        + "again", now()));
        pauses.accept(aborted);
        throw new WorkflowException(Kind.CONFLICT, back2.error());
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
