package dev.shardflow.topology.workflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.verify.VerifyReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rebalance of a keyspace as the registry keeps it: from which topology to which (both as the YAML documents an
 * operator writes; the target's epoch is the source's plus one), its plan, where it stands, every transition it
 * made and every fence it tried. Immutable; each step makes the next version, which the registry stores in the same
 * Kafka transaction as the topology state it publishes.
 *
 * @param fromDocument the topology in force when the rebalance was planned
 * @param toDocument the target topology
 * @param plan the moves and the moved fraction shown at plan time
 * @param verification the last verify's result, or null
 * @param error the last failure of a step, with what to do, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rebalance(String id, String keyspace, RebalanceState state, String fromDocument, String toDocument,
        Plan plan, List<Transition> history, List<FenceAttempt> fences, VerifyReport verification, String error,
        long createdAtMs, long updatedAtMs) {

    public Rebalance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(fromDocument, "fromDocument");
        Objects.requireNonNull(toDocument, "toDocument");
        history = history == null ? List.of() : List.copyOf(history);
        fences = fences == null ? List.of() : List.copyOf(fences);
    }

    /**
     * The moves of a plan: per pair of shards the share of keys that move, and in all; null where the share depends
     * on the data (range and list strategies).
     */
    public record Plan(Double movedFraction, List<Move> moves) {
        public Plan {
            moves = List.copyOf(moves);
        }

        /** The shards keys move from: the old owners. */
        public List<String> sources() {
            return moves.stream().map(Move::from).distinct().toList();
        }

        /** The shards keys move to: the new owners. */
        public List<String> targets() {
            return moves.stream().map(Move::to).distinct().toList();
        }
    }

    public record Move(String from, String to, Double fraction) {}

    /** One step of the rebalance: when, from which state to which, and why. */
    public record Transition(long atMs, RebalanceState from, RebalanceState to, String note) {}

    /**
     * One try at a fenced cutover (or, for a rollback, a reverse one).
     *
     * @param outcome null while in progress, then {@code committed} or {@code aborted}
     * @param pauseMs how long writes to moving keys were held, from the fence's publication to its end
     * @param forced true when the operator forced the cutover without a clean verify; null otherwise
     * @param phasesMs of a committed fence, how long each phase of the pause took on the fence's slowest path, in
     *     order ({@code FenceTiming#phases}); null otherwise
     * @param slowestPath of a committed fence, the source and change partitions of the marker copy that arrived last
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FenceAttempt(String id, boolean reverse, long startedAtMs, Long endedAtMs, String outcome,
            String reason, Long pauseMs, Boolean forced, Map<String, Long> phasesMs, String slowestPath) {

        public FenceAttempt {
            phasesMs = phasesMs == null ? null : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phasesMs));
        }

        public FenceAttempt end(long atMs, String outcome, String reason) {
            return new FenceAttempt(id, reverse, startedAtMs, atMs, outcome, reason, atMs - startedAtMs, forced,
                    phasesMs, slowestPath);
        }

        /** This attempt with the breakdown of its pause. */
        public FenceAttempt withPhases(Map<String, Long> phases, String slowest) {
            return new FenceAttempt(id, reverse, startedAtMs, endedAtMs, outcome, reason, pauseMs, forced, phases,
                    slowest);
        }

        public boolean wasForced() {
            return Boolean.TRUE.equals(forced);
        }
    }

    public static Rebalance planned(String id, String keyspace, String fromDocument, String toDocument, Plan plan,
            long nowMs) {
        return new Rebalance(id, keyspace, RebalanceState.PLANNED, fromDocument, toDocument, plan,
                List.of(new Transition(nowMs, null, RebalanceState.PLANNED, "planned")), List.of(), null, null,
                nowMs, nowMs);
    }

    /** The next version in {@code next}, with the transition recorded; the error is cleared. */
    public Rebalance to(RebalanceState next, String note, long nowMs) {
        List<Transition> steps = new ArrayList<>(history);
        steps.add(new Transition(nowMs, state, next, note));
        return new Rebalance(id, keyspace, next, fromDocument, toDocument, plan, steps, fences, verification, null,
                createdAtMs, nowMs);
    }

    public Rebalance withFence(FenceAttempt fence, long nowMs) {
        List<FenceAttempt> all = new ArrayList<>(fences);
        if (!all.isEmpty() && all.get(all.size() - 1).id().equals(fence.id())) {
            all.set(all.size() - 1, fence);
        } else {
            all.add(fence);
        }
        return new Rebalance(id, keyspace, state, fromDocument, toDocument, plan, history, all, verification, error,
                createdAtMs, nowMs);
    }

    public Rebalance withVerification(VerifyReport result, long nowMs) {
        return new Rebalance(id, keyspace, state, fromDocument, toDocument, plan, history, fences, result, error,
                createdAtMs, nowMs);
    }

    /** The same rebalance with its verification's rows left out ({@link VerifyReport#withoutRows}). */
    public Rebalance withoutRows() {
        return verification == null ? this : new Rebalance(id, keyspace, state, fromDocument, toDocument, plan, history,
                fences, verification.withoutRows(), error, createdAtMs, updatedAtMs);
    }

    public Rebalance withError(String message, long nowMs) {
        return new Rebalance(id, keyspace, state, fromDocument, toDocument, plan, history, fences, verification,
                message, createdAtMs, nowMs);
    }

    /** The fence in progress, if the last one has not ended. */
    public FenceAttempt openFence() {
        FenceAttempt last = fences.isEmpty() ? null : fences.get(fences.size() - 1);
        return last != null && last.outcome() == null ? last : null;
    }

    public Topology fromTopology() {
        return TopologyLoader.parse(fromDocument, "rebalance " + id + " (from)", Map.of());
    }

    public Topology toTopology() {
        return TopologyLoader.parse(toDocument, "rebalance " + id + " (to)", Map.of());
    }

    public byte[] toBytes() {
        return EventJson.write(this, "rebalance " + id);
    }

    public static Rebalance fromBytes(byte[] json) {
        return EventJson.read(json, Rebalance.class, "rebalance record");
    }
}
