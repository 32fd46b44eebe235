package dev.shardflow.topology.api;

import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;

/** What the API serves, answered by the topology service; each answer is a value Jackson writes as JSON. */
public interface ApiBackend {
    Object topology();

    Object route(String key);

    /** Every rebalance, newest first; {@code withRows}: with the rows its verify found differing. */
    Object rebalanceList(boolean withRows);

    /** A rebalance with its copy, lag and verify progress; {@code withRows} as for {@link #rebalanceList}. */
    Object status(String rebalanceId, boolean withRows);

    /** Plans a rebalance; {@code dryRun}: only says what would be planned, and creates nothing. */
    Object plan(Planner.Request request, boolean dryRun);

    /** Sets the most change records per second a move forwards; 0 lifts the limit. */
    Object throttle(String rebalanceId, long maxRowsPerSecond);

    /**
     * An operator's action; {@code force} (cutover only) cuts over without a clean verify, recorded in history. A
     * verify is started as a job and answered at once with it.
     */
    Object perform(String rebalanceId, Action action, boolean force);

    /** Holds a shard's writes while it is rebuilt ({@code held}), or releases them. */
    Object hold(String shard, boolean held);

    /** The verify job under way (or the last one), its progress, and the last report. */
    Object verifyStatus();

    /**
     * Starts a verify of the keyspace as a job and answers at once with it; {@code all}: every shard and table, not
     * only the moving rows.
     */
    Object verify(boolean all);

    /** Each source shard's capture as its process last reported it. */
    Object captureStatus();

    /** The last sweep of the recovery of cross-shard transactions whose coordinator crashed (on the leader). */
    Object transactions();

    /**
     * Each shard's rows per table, counted on the shards, with a warning for each share above {@code maxShare}
     * (0–1).
     */
    Object rows(double maxShare);
}
