package dev.shardflow.topology.workflow;

import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.topology.verify.VerifySettings;
import java.time.Duration;

/**
 * How the workflow steps behave.
 *
 * @param fenceTimeout how long a fence may take, from its publication to the last marker applied; past it the fence
 *     is aborted and writes resume on the epoch in force
 * @param routerTimeout how long after its last beat a router stops counting for a fence; longer than routers' lease
 * @param maxCutoverLag the most change records the move and the target writers may have left when a cutover starts;
 *     above it cutover is refused, so a fence never waits on a backlog
 * @param cleanupBatchRows rows looked at per cleanup batch
 * @param cleanupRowsPerSecond the most rows cleanup deletes per second (0: no limit)
 * @param rebalancerApplicationId the rebalancers' application id, whose moves the copy progress is read from
 * @param verify how verify reads
 * @param transactionRecoveryAge how old a prepared branch of a cross-shard transaction without a decision is before
 *     the leader decides abort and rolls it back; the leader sweeps every half of it, at most every 30 s
 */
public record WorkflowSettings(Duration fenceTimeout, Duration routerTimeout, long maxCutoverLag, int cleanupBatchRows,
        long cleanupRowsPerSecond, String rebalancerApplicationId, VerifySettings verify,
        Duration transactionRecoveryAge) {

    /** How old an undecided prepared branch is, by default, before the leader's sweep rolls it back. */
    public static final Duration TRANSACTION_RECOVERY_AGE = Duration.ofSeconds(60);

    public static WorkflowSettings defaults(String keyspace) {
        return new WorkflowSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), 1_000, 1_000, 20_000,
                ConsumerGroups.rebalancer(keyspace), VerifySettings.defaults(), TRANSACTION_RECOVERY_AGE);
    }

    /** How often the leader sweeps prepared branches: half the recovery age, at most every 30 s. */
    public Duration transactionSweepInterval() {
        Duration half = transactionRecoveryAge.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : half;
    }

    public WorkflowSettings withTransactionRecoveryAge(Duration age) {
        return new WorkflowSettings(fenceTimeout, routerTimeout, maxCutoverLag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, verify, age);
    }

    public WorkflowSettings withFenceTimeout(Duration timeout) {
        return new WorkflowSettings(timeout, routerTimeout, maxCutoverLag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, verify, transactionRecoveryAge);
    }

    public WorkflowSettings withVerify(VerifySettings settings) {
        return new WorkflowSettings(fenceTimeout, routerTimeout, maxCutoverLag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, settings, transactionRecoveryAge);
    }

    public WorkflowSettings withMaxCutoverLag(long lag) {
        return new WorkflowSettings(fenceTimeout, routerTimeout, lag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, verify, transactionRecoveryAge);
    }
}
