package dev.shardflow.topology;

import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.topology.verify.ChunkedVerifier;
import dev.shardflow.topology.verify.VerifyException;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.verify.VerifyRuns;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An operator's verify: of a rebalance (its moving rows on both sides, recorded in the rebalance, resumable from its
 * last checkpoint) or of the keyspace (every row against its owner). The reading runs off the workflow thread; only
 * the checks before it and the records after it go through the workflow.
 */
final class OperatorVerify {
    private final LeaderWorkflow workflow;
    private final VerifyRuns runs;
    private final Supplier<java.util.Optional<TopologyState>> state;
    private final Supplier<RebalanceState> activeState;

    OperatorVerify(LeaderWorkflow workflow, VerifyRuns runs, Supplier<java.util.Optional<TopologyState>> state,
            Supplier<RebalanceState> activeState) {
        this.workflow = workflow;
        this.runs = runs;
        this.state = state;
        this.activeState = activeState;
    }

    /** Refuses a verify of rebalance {@code id} that could not run: no such rebalance, or a state without verify. */
    void check(String id) {
        checked(id);
        published();
    }

    /** Refuses a verify of the keyspace that could not run now. */
    void checkKeyspace() {
        RebalanceState active = activeState.get();
        if (active != null && !Action.VERIFY.allowedIn(active)) {
            throw new WorkflowException(Kind.CONFLICT, "cannot verify while the active rebalance is " + active
                    + "; verify is possible when no rebalance runs or when it is " + Action.VERIFY.allowedStates());
        }
        published();
    }

    Rebalance rebalance(String id) {
        Rebalance rebalance = checked(id);
        TopologyState now = published();
        VerifyReport result = run(new ChunkedVerifier.Scope(now.currentTopology(), now.otherTopology(), false),
                rebalance.verification(), partial -> workflow.call(d -> d.verified(id, partial)));
        return workflow.call(d -> d.verified(id, result));
    }

    private Rebalance checked(String id) {
        return workflow.call(d -> {
            Rebalance r = d.rebalances().get(id);
            if (r == null) {
                throw new WorkflowException(Kind.NOT_FOUND, "no rebalance " + id);
            }
            if (!Action.VERIFY.allowedIn(r.state())) {
                throw new WorkflowException(Kind.CONFLICT, "cannot verify rebalance " + id + ": it is " + r.state()
                        + "; verify is possible when " + Action.VERIFY.allowedStates());
            }
            return r;
        });
    }

    VerifyReport keyspace(boolean all) {
        checkKeyspace();
        RebalanceState active = activeState.get();
        TopologyState now = published();
        return run(new ChunkedVerifier.Scope(now.currentTopology(), active == null ? null : now.otherTopology(), all),
                null, partial -> { });
    }

    private TopologyState published() {
        return state.get().orElseThrow(() -> new WorkflowException(Kind.CONFLICT, "no topology published"));
    }

    private VerifyReport run(ChunkedVerifier.Scope scope, VerifyReport resume, Consumer<VerifyReport> checkpoint) {
        try {
            return runs.run(scope, resume, checkpoint);
        } catch (VerifyException e) {
            throw new WorkflowException(Kind.CONFLICT, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkflowException(Kind.CONFLICT, "verify interrupted", e);
        }
    }
}
