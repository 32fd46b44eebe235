package dev.shardflow.topology.router;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import java.util.List;

/**
 * Who owns which key as a router sees it: the topology in force, the other side of a running rebalance, and the
 * fence in progress. A key is moving when its owners in the two topologies differ.
 */
record Ownership(Topology current, Topology other, String fence, List<String> held, byte[] stateBytes) {

    static Ownership steady(Topology topology) {
        return new Ownership(topology, null, null, List.of(), null);
    }

    static Ownership of(TopologyState state, byte[] bytes) {
        return new Ownership(state.currentTopology(), state.otherTopology(), state.fence(), state.held(), bytes);
    }

    String ownerOf(Object shardKey) {
        return current.strategy().ownerOf(shardKey);
    }

    boolean moving(Object shardKey, String owner) {
        return other != null && !owner.equals(other.strategy().ownerOf(shardKey));
    }
}
