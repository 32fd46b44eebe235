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

    Object perform(String rebalanceId, Action action);
}
