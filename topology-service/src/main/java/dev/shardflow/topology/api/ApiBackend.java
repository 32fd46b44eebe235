package dev.shardflow.topology.api;

import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;

/** What the API serves, answered by the topology service; each answer is a value Jackson writes as JSON. */
public interface ApiBackend {
    Object topology();

    Object route(String key);

    Object rebalanceList();

    Object status(String rebalanceId);

    Object plan(Planner.Request request);

    /** An operator's action; {@code force} (cutover only) cuts over without a clean verify, recorded in history. */
    Object perform(String rebalanceId, Action action, boolean force);

    /** Holds a shard's writes while it is rebuilt ({@code held}), or releases them. */
    Object hold(String shard, boolean held);

    /** The progress of the verify under way (or the last one) and the last report. */
    Object verifyStatus();

    /** Verifies the keyspace now; {@code all}: every shard and table, not only the moving rows. */
    Object verify(boolean all);

    /** Each source shard's capture as its process last reported it. */
    Object captureStatus();
}
