package dev.shardflow.testkit.workload;

/**
 * Counts of one shard's writer. A transaction is {@code acknowledged} when its commit returned, {@code inDoubt}
 * when it failed after reaching the server, {@code refused} when no connection could be made. {@code anomalies}
 * counts updates and deletes that found no row although the row's last write had been acknowledged: data loss
 * seen while it happens.
 */
public record WorkloadStats(long acknowledged, long inDoubt, long refused, long anomalies) {

    @Override
    public String toString() {
        return acknowledged + " acknowledged, " + inDoubt + " in doubt, " + refused + " refused, " + anomalies
                + " anomalies";
    }
}
