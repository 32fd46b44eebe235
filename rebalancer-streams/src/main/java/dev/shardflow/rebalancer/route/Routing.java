package dev.shardflow.rebalancer.route;

import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.core.topology.TopologyState.Phase;
import java.util.Objects;

/**
 * A topology state read once and kept: where keys live ({@link Placement}: the topology in force and the other side
 * of a running rebalance), and which way changes of moving keys flow.
 */
public record Routing(Placement placement, Phase phase) {

    public Routing {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(phase, "phase");
        if ((phase == Phase.STEADY) != (placement.other() == null)) {
            throw new IllegalArgumentException("a routing has another topology exactly when a rebalance runs");
        }
    }

    public static Routing of(TopologyState state) {
        return new Routing(state.placement(), state.phase());
    }

    public static Routing steady(Topology topology) {
        return new Routing(Placement.steady(topology), Phase.STEADY);
    }

    /** The topology in force. */
    public Topology current() {
        return placement.current();
    }

    /** The other side of the running rebalance, or null. */
    public Topology other() {
        return placement.other();
    }

    public boolean moving() {
        return phase != Phase.STEADY;
    }
}
