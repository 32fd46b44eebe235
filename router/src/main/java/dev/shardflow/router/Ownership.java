package dev.shardflow.router;

import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.TopologyState;
import java.util.List;

/**
 * Who owns which key as a router sees it: the placement of the state in force (the topology and, during a
 * rebalance, the other side), the fence in progress, and the shards being rebuilt.
 */
record Ownership(Placement placement, String fence, List<String> held, byte[] stateBytes) {

    static Ownership steady(dev.shardflow.core.topology.Topology topology) {
        return new Ownership(Placement.steady(topology), null, List.of(), null);
    }

    static Ownership of(TopologyState state, byte[] bytes) {
        return new Ownership(state.placement(), state.fence(), state.held(), bytes);
    }

    long epoch() {
        return placement.current().epoch();
    }
}
