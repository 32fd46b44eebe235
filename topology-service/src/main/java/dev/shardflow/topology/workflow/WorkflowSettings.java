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
 */
public record WorkflowSettings(Duration fenceTimeout, Duration routerTimeout, long maxCutoverLag, int cleanupBatchRows,
        long cleanupRowsPerSecond, String rebalancerApplicationId, VerifySettings verify) {

    public static WorkflowSettings defaults(String keyspace) {
        return new WorkflowSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), 1_000, 1_000, 20_000,
                ConsumerGroups.rebalancer(keyspace), VerifySettings.defaults());
    }

    public WorkflowSettings withFenceTimeout(Duration timeout) {
        return new WorkflowSettings(timeout, routerTimeout, maxCutoverLag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, verify);
    }

    public WorkflowSettings withVerify(VerifySettings settings) {
        return new WorkflowSettings(fenceTimeout, routerTimeout, maxCutoverLag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, settings);
    }

    public WorkflowSettings withMaxCutoverLag(long lag) {
        return new WorkflowSettings(fenceTimeout, routerTimeout, lag, cleanupBatchRows, cleanupRowsPerSecond,
                rebalancerApplicationId, verify);
    }
}
