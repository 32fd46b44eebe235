package dev.shardflow.core.topology;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
 * <p>Shards in {@code held} have their writes refused by routers, with a retryable error, while they are rebuilt
 * from the change topics: a write to a row the rebuild has not restored yet could not be told apart from history.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class TopologyState {
    private final String keyspace;
    private final String current;
    private final String other;
    private final Phase phase;
    private final String rebalanceId;
    private final String fence;
    private final List<String> held;
    private final MoveControls controls;
    private volatile Placement placement; // parsed on first use, once

    /** Where a rebalance stands, as far as the movement of changes is concerned. */
    public enum Phase {
        /** No rebalance: nothing moves. */
        STEADY,
        /** Copying and catching up: authoritative changes of moving keys are forwarded to their next owner. */
        FORWARD,
        /** After cutover, until complete: changes of moved keys are forwarded back to their previous owner. */
        REVERSE
    }

    @JsonCreator
    public TopologyState(@JsonProperty("keyspace") String keyspace, @JsonProperty("current") String current,
            @JsonProperty("other") String other, @JsonProperty("phase") Phase phase,
            @JsonProperty("rebalanceId") String rebalanceId, @JsonProperty("fence") String fence,
            @JsonProperty("held") List<String> held, @JsonProperty("controls") MoveControls controls) {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(phase, "phase");
        if ((phase == Phase.STEADY) != (other == null)) {
            throw new IllegalArgumentException("a topology state has another topology exactly when a rebalance runs");
        }
        if (fence != null && phase == Phase.STEADY) {
            throw new IllegalArgumentException("a fence needs a running rebalance");
        }
        List<String> heldShards = held == null ? List.of() : List.copyOf(held);
        if (!heldShards.isEmpty() && phase != Phase.STEADY) {
            throw new IllegalArgumentException("shards are rebuilt outside a rebalance only");
        }
        this.keyspace = keyspace;
        this.current = current;
        this.other = other;
        this.phase = phase;
        this.rebalanceId = rebalanceId;
        this.fence = fence;
        this.held = heldShards;
        this.controls = controls == null || phase == Phase.STEADY ? MoveControls.NONE : controls;
    }

    /** A state of a move neither paused nor throttled. */
    public TopologyState(String keyspace, String current, String other, Phase phase, String rebalanceId,
            String fence, List<String> held) {
        this(keyspace, current, other, phase, rebalanceId, fence, held, MoveControls.NONE);
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
        return samePlacement(new TopologyState(keyspace, current, other, phase, rebalanceId, fenceId, held,
                controls));
    }

    /** The same state with the writes of these shards held (empty: none). */
    public TopologyState withHeld(List<String> shards) {
        return samePlacement(new TopologyState(keyspace, current, other, phase, rebalanceId, fence, shards,
                controls));
    }

    /** The same state with the operator's controls of its move. */
    public TopologyState withControls(MoveControls next) {
        return samePlacement(new TopologyState(keyspace, current, other, phase, rebalanceId, fence, held, next));
    }

    /** The same documents place keys alike: a state derived from this one need not parse them again. */
    private TopologyState samePlacement(TopologyState next) {
        next.placement = placement;
        return next;
    }

    public static TopologyState steady(String keyspace, String currentDocument) {
        return new TopologyState(keyspace, currentDocument, null, Phase.STEADY, null);
    }

    @JsonProperty
    public String keyspace() {
        return keyspace;
    }

    /** The topology document in force. */
    @JsonProperty
    public String current() {
        return current;
    }

    /** The topology document of the other side of a rebalance, or null when none runs. */
    @JsonProperty
    public String other() {
        return other;
    }

    @JsonProperty
    public Phase phase() {
        return phase;
    }

    @JsonProperty
    public String rebalanceId() {
        return rebalanceId;
    }

    /** The id of the fence in progress, or null. */
    @JsonProperty
    public String fence() {
        return fence;
    }

    /** Shards whose writes routers refuse while they are rebuilt. */
    @JsonProperty
    public List<String> held() {
        return held;
    }

    /** Whether the move is paused and how fast it may forward; {@link MoveControls#NONE} outside a rebalance. */
    @JsonIgnore
    public MoveControls controls() {
        return controls;
    }

    /** The controls as written to the topic: left out when none are set, as before there were any. */
    @JsonProperty("controls")
    MoveControls controlsOrNull() {
        return controls.equals(MoveControls.NONE) ? null : controls;
    }

    /** Who owns which key under this state; environment overrides do not apply to published state. */
    @JsonIgnore
    public Placement placement() {
        Placement parsed = placement;
        if (parsed == null) {
            // two threads may both parse on a first use: the results are equal, and later calls parse nothing
            parsed = new Placement(
                    TopologyLoader.parse(current, "topology state of " + keyspace + " (current)", Map.of()),
                    other == null ? null
                            : TopologyLoader.parse(other, "topology state of " + keyspace + " (other)", Map.of()));
            placement = parsed;
        }
        return parsed;
    }

    /** The topology in force. */
    @JsonIgnore
    public Topology currentTopology() {
        return placement().current();
    }

    /** The topology of the other side of a rebalance, or null when none runs. */
    @JsonIgnore
    public Topology otherTopology() {
        return placement().other();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopologyState s && keyspace.equals(s.keyspace) && current.equals(s.current)
                && Objects.equals(other, s.other) && phase == s.phase && Objects.equals(rebalanceId, s.rebalanceId)
                && Objects.equals(fence, s.fence) && held.equals(s.held) && controls.equals(s.controls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyspace, current, other, phase, rebalanceId, fence, held, controls);
    }

    @Override
    public String toString() {
        return "TopologyState[keyspace=" + keyspace + ", phase=" + phase
                + ", rebalanceId=" + rebalanceId + ", fence=" + fence + ", held=" + held + ", controls="
                + controls.describe() + "]";
    }

    public byte[] toBytes() {
        return EventJson.write(this, "the topology state of " + keyspace);
    }

    public static TopologyState fromBytes(byte[] json) {
        return EventJson.read(json, TopologyState.class, "topology state");
    }
}
