package dev.shardflow.rebalancer.route;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.core.topology.TopologyState.Phase;
import java.util.Objects;

/**
 * A topology state read once and kept: the topology in force, the other side of a running rebalance, and which
 * way changes of moving keys flow. Reading the YAML documents is far too slow to do per change.
 */
public record Routing(Topology current, Topology other, Phase phase) {

    public Routing {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(phase, "phase");
        if ((phase == Phase.STEADY) != (other == null)) {
            throw new IllegalArgumentException("a routing has another topology exactly when a rebalance runs");
        }
    }

    public static Routing of(TopologyState state) {
        return new Routing(state.currentTopology(), state.otherTopology(), state.phase());
    }

    public static Routing steady(Topology topology) {
        return new Routing(topology, null, Phase.STEADY);
    }

    public boolean moving() {
        return phase != Phase.STEADY;
    }
}
