package dev.shardflow.core.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.EventJson;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the topology topic holds for a keyspace: the topology in force and, while a rebalance runs, the other
 * topology its moving keys are copied to, with the rebalance's phase. Both topologies travel as the same YAML
 * documents an operator writes (JSON being YAML), so they are read by the one {@link TopologyLoader}.
 *
 * <p>Before cutover {@code other} is the next epoch's topology and changes of moving keys flow from the current
 * owner to the next one; after cutover {@code current} is the new topology, {@code other} the previous one, and the
 * same changes flow back so that a rollback loses nothing.
 *
 * <p>While a cutover is fenced, {@code fence} names it: routers hold writes to the keys whose owner differs between
 * the two topologies, and acknowledge once none of theirs is in flight, so that the fence marker written next on
 * every source follows every write to those keys.
 *
 * @param current the topology document in force
 * @param other the topology document of the other side of a rebalance, or null when none runs
 * @param fence the id of the fence in progress, or null
 * @param held shards whose writes routers refuse, with a retryable error, because they are being rebuilt from the
 *     change topics; a write to a row the rebuild has not restored yet could not be told apart from history
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TopologyState(String keyspace, String current, String other, Phase phase, String rebalanceId,
        String fence, List<String> held) {

    /** Where a rebalance stands, as far as the movement of changes is concerned. */
    public enum Phase {
        /** No rebalance: nothing moves. */
        STEADY,
        /** Copying and catching up: authoritative changes of moving keys are forwarded to their next owner. */
        FORWARD,
        /** After cutover, until complete: changes of moved keys are forwarded back to their previous owner. */
        REVERSE
    }

    public TopologyState {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(phase, "phase");
        if ((phase == Phase.STEADY) != (other == null)) {
            throw new IllegalArgumentException("a topology state has another topology exactly when a rebalance runs");
        }
        if (fence != null && phase == Phase.STEADY) {
            throw new IllegalArgumentException("a fence needs a running rebalance");
        }
        held = held == null ? List.of() : List.copyOf(held);
        if (!held.isEmpty() && phase != Phase.STEADY) {
            throw new IllegalArgumentException("shards are rebuilt outside a rebalance only");
        }
    }

    /** A state whose shards all take writes. */
    public TopologyState(String keyspace, String current, String other, Phase phase, String rebalanceId,
            String fence) {
        this(keyspace, current, other, phase, rebalanceId, fence, List.of());
    }

    /** A state without a fence in progress. */
    public TopologyState(String keyspace, String current, String other, Phase phase, String rebalanceId) {
        this(keyspace, current, other, phase, rebalanceId, null);
    }

    /** The same state with a fence in progress ({@code fenceId}), or without one (null). */
    public TopologyState withFence(String fenceId) {
        return new TopologyState(keyspace, current, other, phase, rebalanceId, fenceId, held);
    }

    /** The same state with the writes of these shards held (empty: none). */
    public TopologyState withHeld(List<String> shards) {
        return new TopologyState(keyspace, current, other, phase, rebalanceId, fence, shards);
    }

    public static TopologyState steady(String keyspace, String currentDocument) {
        return new TopologyState(keyspace, currentDocument, null, Phase.STEADY, null);
    }

    /** The documents read as topologies; environment overrides do not apply to published state. */
    public Topology currentTopology() {
        return TopologyLoader.parse(current, "topology state of " + keyspace + " (current)", Map.of());
    }

    public Topology otherTopology() {
        return other == null ? null
                : TopologyLoader.parse(other, "topology state of " + keyspace + " (other)", Map.of());
    }

    public byte[] toBytes() {
        return EventJson.write(this, "the topology state of " + keyspace);
    }

    public static TopologyState fromBytes(byte[] json) {
        return EventJson.read(json, TopologyState.class, "topology state");
    }
}
