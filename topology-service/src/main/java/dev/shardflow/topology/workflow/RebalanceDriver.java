package dev.shardflow.topology.workflow;

import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.MoveControls;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.core.topology.TopologyState.Phase;
import dev.shardflow.topology.fence.FenceCoordinator;
import dev.shardflow.topology.registry.RegistryLog;
import dev.shardflow.topology.workflow.Rebalance.FenceAttempt;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import dev.shardflow.topology.verify.VerifyReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rebalance workflow of one keyspace on the leading instance: each operator action and each automatic step
 * (copy done, cleanup, resuming what a crash interrupted) becomes one commit of the registry log, topology state and
 * rebalance together, and one log line. Not thread-safe: the service calls it from its one workflow thread.
 *
 * <p>One role in one file, longer than most: every transition of the workflow's state machine — the operator's
 * actions, the move's controls and the automatic steps — is checked against the same state and committed the same
 * way; the fenced steps and cleanup are {@link FencedStep}'s and {@link CleanupStep}'s.
 */
public final class RebalanceDriver {
    private static final Logger log = LoggerFactory.getLogger(RebalanceDriver.class);

    private final RegistryLog registry;
    private final MoveWatch moves;
    private final WorkflowSettings settings;
    private TopologyState state;
    private final CleanupStep cleanup;
    private final FencedStep fencing;
    private final Map<String, Rebalance> rebalances;
    private final SchemaHolds schemaHolds;

    public RebalanceDriver(RegistryLog registry, RegistryLog.Contents contents, MoveWatch moves,
            FenceCoordinator fences, Cleaner cleaner, SchemaHolds schemaHolds, WorkflowSettings settings,
            Consumer<FenceAttempt> pauses) {
        this.registry = registry;
        this.schemaHolds = schemaHolds;
        this.moves = moves;
        this.cleanup = new CleanupStep(moves, cleaner);
        this.fencing = new FencedStep(() -> state, this::commit, fences, settings, pauses);
        this.settings = settings;
        this.state = contents.state().orElseThrow(() -> new IllegalStateException("no topology state published"));
        this.rebalances = new HashMap<>(contents.rebalances());
    }

    public TopologyState state() {
        return state;
    }

    public Map<String, Rebalance> rebalances() {
        return Map.copyOf(rebalances);
    }

    /** The rebalance that is not over, if one is. */
    public Optional<Rebalance> active() {
        return rebalances.values().stream().filter(r -> !r.state().terminal()).findFirst();
    }

    /**
     * Holds the writes of a shard while it is rebuilt from the change topics (routers refuse them with a retryable
     * error), or releases them; only outside a rebalance.
     */
    public TopologyState hold(String shard, boolean held) {
        active().ifPresent(r -> {
            throw new WorkflowException(Kind.CONFLICT, "rebalance " + r.id() + " is " + r.state() + "; a shard is "
                    + "rebuilt outside a rebalance");
        });
        List<String> ring = state.currentTopology().strategy().shards();
        if (!ring.contains(shard)) {
            throw new WorkflowException(Kind.NOT_FOUND, "shard " + shard + " is not in the ring of epoch "
                    + state.currentTopology().epoch() + " " + ring);
        }
        List<String> shards = new ArrayList<>(state.held());
        shards.remove(shard);
        if (held) {
            shards.add(shard);
        }
        TopologyState next = state.withHeld(shards);
        registry.commit(next, null);
        state = next;
        log.info("shard {}: writes {} (shards held: {})", shard, held ? "held while it is rebuilt" : "released",
                next.held());
        return next;
    }

    /** The rebalance that is not over, or else the latest one. */
    public Optional<Rebalance> latest() {
        return active().or(() -> rebalances.values().stream().max(Comparator.comparingLong(Rebalance::createdAtMs)));
    }

    public Rebalance plan(Planner.Request request) {
        Rebalance planned = preview(request);
        commit(null, planned);
        log.info("rebalance {} planned: epoch {} -> {}, {} of the keys move", planned.id(),
                planned.fromTopology().epoch(), planned.toTopology().epoch(), planned.plan().movedFraction());
        return planned;
    }

    /** The rebalance {@link #plan} would create now, refused for the same reasons; nothing is recorded. */
    public Rebalance preview(Planner.Request request) {
        active().ifPresent(r -> {
            throw new WorkflowException(Kind.CONFLICT, "rebalance " + r.id() + " is " + r.state() + "; complete, "
                    + "cancel or roll it back before planning another");
        });
        if (!state.held().isEmpty()) {
            throw new WorkflowException(Kind.CONFLICT, "shards " + state.held() + " are being rebuilt; release them "
                    + "before planning a rebalance");
        }
        Planner.Target target;
        try {
            target = Planner.plan(state.current(), request);
        } catch (IllegalArgumentException e) {
            throw new WorkflowException(Kind.INVALID, e.getMessage(), e);
        }
        String id = "r" + target.topology().epoch() + "-" + Long.toString(System.currentTimeMillis(), 36);
        return Rebalance.planned(id, state.keyspace(), state.current(), target.document(), target.plan(), now());
    }

    public Rebalance perform(String id, Action action) {
        return perform(id, action, false);
    }

    /**
     * Performs an operator's action.
     *
     * @param force for a cutover only: cut over although no clean verify ran since the catch-up began, which the
     *     rebalance's history records with the reason that would have refused it
     */
    public Rebalance perform(String id, Action action, boolean force) {
        return perform(id, action, force, null);
    }

    /** Sets the most change records per second the move of rebalance {@code id} forwards; 0 lifts the limit. */
    public Rebalance throttle(String id, long maxRowsPerSecond) {
        if (maxRowsPerSecond < 0) {
            throw new WorkflowException(Kind.INVALID, "maxRowsPerSecond must be 0 (no limit) or positive, was "
                    + maxRowsPerSecond);
        }
        return perform(id, Action.THROTTLE, false, maxRowsPerSecond);
    }

    private Rebalance perform(String id, Action action, boolean force, Long maxRowsPerSecond) {
        if (force && action != Action.CUTOVER) {
            throw new WorkflowException(Kind.INVALID, "force applies to cutover only, not to " + action.verb());
        }
        Rebalance rebalance = rebalances.get(id);
        if (rebalance == null) {
            throw new WorkflowException(Kind.NOT_FOUND, "no rebalance " + id);
        }
        if (!action.allowedIn(rebalance.state())) {
            throw new WorkflowException(Kind.CONFLICT, "cannot " + action.verb() + " rebalance " + id + ": it is "
                    + rebalance.state() + "; " + action.verb() + " is possible when " + action.allowedStates());
        }
        return switch (action) {
            case START -> commit(new TopologyState(state.keyspace(), rebalance.fromDocument(), rebalance.toDocument(),
                    Phase.FORWARD, id), rebalance.to(RebalanceState.COPYING, "copy started", now()));
            case CUTOVER -> cutover(rebalance, force);
            case COMPLETE -> commit(TopologyState.steady(state.keyspace(), rebalance.toDocument()),
                    rebalance.to(RebalanceState.COMPLETING, "complete: moved rows are deleted from their old owners",
                            now()));
            case CANCEL -> rebalance.state() == RebalanceState.PLANNED
                    ? commit(null, rebalance.to(RebalanceState.CANCELLED, "cancelled before it started", now()))
                    : commit(TopologyState.steady(state.keyspace(), rebalance.fromDocument()), rebalance.to(
                            RebalanceState.CANCELLING, "cancel: rows copied to the targets are deleted", now()));
            case ROLLBACK -> rollback(rebalance);
            case PAUSE -> control(rebalance, state.controls().withPaused(true), "paused by the operator: the move "
                    + "forwards nothing; copy and catch-up resume where they stopped");
            case RESUME -> resume(rebalance);
            case THROTTLE -> {
                if (maxRowsPerSecond == null) {
                    throw new WorkflowException(Kind.INVALID, "throttle needs the most rows per second: "
                            + "{\"maxRowsPerSecond\": N}, 0 for no limit");
                }
                yield control(rebalance, state.controls().withMaxRowsPerSecond(maxRowsPerSecond),
                        maxRowsPerSecond == 0 ? "throttle lifted by the operator"
                                : "throttled by the operator to " + maxRowsPerSecond + " change records per second");
            }
            case VERIFY -> throw new WorkflowException(Kind.INVALID, "verify is run by the service, not the driver");
        };
    }

    /**
     * Records a verify's result, or a partial one that a later verify resumes from; a clean complete one before
     * cutover moves the rebalance to VERIFIED, and one that found differences takes that mark away again.
     */
    public Rebalance verified(String id, VerifyReport result) {
        Rebalance rebalance = rebalances.get(id).withVerification(result, now());
        if (result.clean() && rebalance.state() == RebalanceState.CATCHING_UP) {
            rebalance = rebalance.to(RebalanceState.VERIFIED, "verified: " + result.rowsCompared() + " rows equal",
                    now());
        } else if (result.complete() && !result.clean() && rebalance.state() == RebalanceState.VERIFIED) {
            rebalance = rebalance.to(RebalanceState.CATCHING_UP, "verify found " + result.mismatches()
                    + " mismatch(es), " + result.unsettled() + " unsettled key(s) and " + result.orphans()
                    + " orphan(s): " + result.sample(), now());
        }
        return commit(null, rebalance);
    }

    /** Publishes the move's new controls; the rebalancers apply them as they read the state. */
    private Rebalance control(Rebalance rebalance, MoveControls controls, String note) {
        if (!rebalance.id().equals(state.rebalanceId())) {
            throw new WorkflowException(Kind.CONFLICT, "rebalance " + rebalance.id() + " is not the one moving ("
                    + state.rebalanceId() + ")");
        }
        return commit(state.withControls(controls), rebalance.to(rebalance.state(), note, now()));
    }

    /**
     * Resumes a move: lifts the operator's pause, and lets the writers pass the schema changes they hold the move
     * behind, which the operator has made on the targets.
     */
    private Rebalance resume(Rebalance rebalance) {
        int released = schemaHolds.resume(shardsOf(rebalance));
        return control(rebalance, state.controls().withPaused(false), "resumed by the operator"
                + (released == 0 ? "" : "; " + released + " held schema change(s) pass"));
    }

    /** The changes of a managed table's definition the writers of this move's shards hold it behind. */
    public List<SchemaHolds.Hold> schemaHolds(Rebalance rebalance) {
        return schemaHolds.held(shardsOf(rebalance));
    }

    private static List<dev.shardflow.core.topology.ShardSpec> shardsOf(Rebalance rebalance) {
        return SchemaHolds.shardsOf(rebalance);
    }

    private Rebalance cutover(Rebalance rebalance, boolean force) {
        List<SchemaHolds.Hold> held = schemaHolds(rebalance);
        if (!held.isEmpty()) {
            throw new WorkflowException(Kind.CONFLICT, "cannot cut over rebalance " + rebalance.id() + ": its rows "
                    + "are held behind schema changes — "
                    + String.join("; ", held.stream().map(SchemaHolds.Hold::describe).toList()) + " — make each on the targets, then shardctl rebalance resume " + rebalance.id());
        }
        if (state.controls().paused()) {
            throw new WorkflowException(Kind.CONFLICT, "cannot cut over rebalance " + rebalance.id() + ": it is "
                    + "paused, and its catch-up with it; resume it (shardctl rebalance resume " + rebalance.id()
                    + ") and cut over once it caught up");
        }
        String unverified = CutoverGate.unverified(rebalance);
        if (unverified != null && !force) {
            throw new WorkflowException(Kind.CONFLICT, "cannot cut over rebalance " + rebalance.id() + ": "
                    + unverified + "; run verify until it is clean, or cut over with force (shardctl rebalance "
                    + "cutover --force, API {\"force\": true}), which the rebalance's history records");
        }
        if (unverified != null) {
            log.warn("rebalance {}: cutover forced by the operator although {}", rebalance.id(), unverified);
        }
        List<String> targets = rebalance.plan().targets();
        long lag = lagOf(rebalance, targets);
        if (lag > settings.maxCutoverLag()) {
            throw new WorkflowException(Kind.CONFLICT, "cannot cut over rebalance " + rebalance.id() + " yet: "
                    + lag + " change records are still to be moved or applied, above the bound of "
                    + settings.maxCutoverLag() + "; wait for catch-up");
        }
        RebalanceState before = rebalance.state();
        long epoch = rebalance.toTopology().epoch();
        return fencing.run(rebalance, false, RebalanceState.FENCING, before, targets, epoch,
                new TopologyState(state.keyspace(), rebalance.toDocument(), rebalance.fromDocument(), Phase.REVERSE,
                        rebalance.id()), RebalanceState.CUT_OVER, "cut over to epoch " + epoch, unverified);
    }

    private Rebalance rollback(Rebalance rebalance) {
        String restored = Planner.withEpoch(rebalance.fromDocument(), rebalance.toTopology().epoch() + 1);
        List<String> targets = rebalance.plan().sources();
        return fencing.run(rebalance, true, RebalanceState.ROLLING_BACK, RebalanceState.CUT_OVER, targets,
                rebalance.toTopology().epoch() + 1, TopologyState.steady(state.keyspace(), restored),
                RebalanceState.ROLLING_BACK_CLEANUP, "rolled back: the previous layout is in force under epoch "
                        + (rebalance.toTopology().epoch() + 1), null);
    }

    /**
     * The automatic steps: a finished copy becomes catch-up; a fence a crash left open is withdrawn and tried
     * again; cleanup runs to its end.
     */
    public void tick() {
        Optional<Rebalance> current = active();
        if (current.isEmpty()) {
            return;
        }
        Rebalance rebalance = current.get();
        switch (rebalance.state()) {
            case COPYING -> copyDone(rebalance);
            case FENCING, ROLLING_BACK -> resumeFence(rebalance);
            case COMPLETING -> cleanup(rebalance, rebalance.plan().sources(), rebalance.toTopology(),
                    RebalanceState.COMPLETED);
            case CANCELLING -> cleanup(rebalance, rebalance.plan().targets(), rebalance.fromTopology(),
                    RebalanceState.CANCELLED);
            case ROLLING_BACK_CLEANUP -> cleanup(rebalance, rebalance.plan().targets(), state.currentTopology(),
                    RebalanceState.ROLLED_BACK);
            default -> { }
        }
    }

    private void copyDone(Rebalance rebalance) {
        try {
            Optional<CopyProgress> progress = moves.copyProgress(rebalance.id());
            if (progress.isPresent() && progress.get().fraction() >= 1.0) {
                commit(null, rebalance.to(RebalanceState.CATCHING_UP, "copy done: " + progress.get().total()
                        + " change records read; live changes follow", now()));
            }
        } catch (Exception e) {
            log.warn("rebalance {}: copy progress unknown ({})", rebalance.id(), e.getMessage());
        }
    }

    private void resumeFence(Rebalance rebalance) {
        boolean reverse = rebalance.state() == RebalanceState.ROLLING_BACK;
        // what the operator forced stays forced when the service tries the step again
        boolean forced = rebalance.openFence() != null && rebalance.openFence().wasForced();
        // back to where the fence started from: a verified rebalance stays verified, as when a fence aborts
        RebalanceState started = rebalance.history().get(rebalance.history().size() - 1).from();
        RebalanceState back = reverse ? RebalanceState.CUT_OVER
                : started == RebalanceState.VERIFIED ? RebalanceState.VERIFIED : RebalanceState.CATCHING_UP;
        try {
            fencing.abort(rebalance, back, "the topology service restarted during the fence");
        } catch (WorkflowException expected) {
            // recorded; try the same step again below
        }
        log.info("rebalance {}: trying the interrupted {} again", rebalance.id(), reverse ? "rollback" : "cutover");
        try {
            perform(rebalance.id(), reverse ? Action.ROLLBACK : Action.CUTOVER, forced);
        } catch (WorkflowException e) {
            log.warn("rebalance {}: {}", rebalance.id(), e.getMessage());
        }
    }

    private void cleanup(Rebalance rebalance, List<String> shards, dev.shardflow.core.topology.Topology owner,
            RebalanceState done) {
        cleanup.run(rebalance, shards, owner).ifPresent(deleted -> {
            commit(null, rebalance.to(done, "cleanup done: " + deleted + " rows deleted from " + shards, now()));
            log.info("rebalance {}: {}", rebalance.id(), done);
        });
    }

    private long lagOf(Rebalance rebalance, List<String> targets) {
        try {
            long lag = moves.writerLag(targets);
            if (rebalance != null) {
                lag += moves.moveLag(rebalance.id()).orElse(Long.MAX_VALUE / 2);
            }
            return lag;
        } catch (Exception e) {
            throw new WorkflowException(Kind.CONFLICT, "the lag of the move is unknown (" + e.getMessage() + ")", e);
        }
    }

    private Rebalance commit(TopologyState published, Rebalance rebalance) {
        registry.commit(published, rebalance);
        if (published != null) {
            state = published;
        }
        rebalances.put(rebalance.id(), rebalance);
        Rebalance.Transition last = rebalance.history().get(rebalance.history().size() - 1);
        log.info("rebalance {}: {} ({})", rebalance.id(), rebalance.state(), last.note());
        return rebalance;
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
