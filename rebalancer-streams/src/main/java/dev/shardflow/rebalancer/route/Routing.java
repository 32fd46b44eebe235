package dev.shardflow.rebalancer.route;

import dev.shardflow.core.strategy.MoveRange;
import dev.shardflow.core.strategy.StrategyDiff;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.ReferenceCopies;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.core.topology.TopologyState.Phase;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A topology state read once and kept: where keys live ({@link Placement}: the topology in force and the other side
 * of a running rebalance), which way changes of moving keys flow, and which shards they flow to.
 *
 * @param receivers while a rebalance runs, the shards changes flow to: those the other topology gives keys the one in
 *     force places elsewhere, and those joining the ring (which receive the reference tables); they, and only they,
 *     receive the markers, since only their writers apply anything a marker must follow. Empty when steady.
 */
public record Routing(Placement placement, Phase phase, List<String> receivers) {

    public Routing {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(phase, "phase");
        if ((phase == Phase.STEADY) != (placement.other() == null)) {
            throw new IllegalArgumentException("a routing has another topology exactly when a rebalance runs");
        }
        receivers = List.copyOf(receivers);
    }

    public static Routing of(TopologyState state) {
        Placement placement = state.placement();
        return new Routing(placement, state.phase(), placement.other() == null ? List.of()
                : receivers(placement.current(), placement.other()));
    }

    public static Routing steady(Topology topology) {
        return new Routing(Placement.steady(topology), Phase.STEADY, List.of());
    }

    /** The shards of {@code other} that receive keys {@code current} places elsewhere, then the joining ones. */
    static List<String> receivers(Topology current, Topology other) {
        Set<String> receivers = new LinkedHashSet<>();
        for (MoveRange move : StrategyDiff.between(current.strategy(), other.strategy()).moves()) {
            receivers.add(move.to());
        }
        receivers.addAll(ReferenceCopies.joining(current, other));
        // in ring order, so that every instance of the rebalancer sends a marker's copies in the same order
        return other.strategy().shards().stream().filter(receivers::contains).toList();
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
