package dev.shardflow.rebalancer.route;

import dev.shardflow.core.event.ChangeEvent;
import java.util.List;

/**
 * What becomes of one change: forwarded to a shard, fanned out as a fence, left where it is, poison, or rejected.
 */
public sealed interface Decision {

    /** An authoritative change of a moving key, re-stamped with the epoch in force, for its other owner. */
    record Forward(String shard, ChangeEvent change) implements Decision {}

    /**
     * A change of a reference table on the shard whose copy is the truth (the first of the ring in force), re-stamped
     * with the epoch in force, for each shard that joins the ring in the other topology and has no copy yet.
     */
    record Replicate(List<String> shards, ChangeEvent change) implements Decision {
        public Replicate {
            shards = List.copyOf(shards);
        }
    }

    /** A marker (a fence, a schema event), for every partition of the apply topics of these shards. */
    record Fence(List<String> shards, ChangeEvent marker) implements Decision {
        public Fence {
            shards = List.copyOf(shards);
        }
    }

    /** Why a change is not forwarded although it is well formed; each kind is counted. */
    enum Skip implements Decision {
        /** The key stays on its owner, or no rebalance runs. */
        STAYS,
        /** The source does not own the key at the epoch in force: an echo of a writer, a cleanup delete. */
        NON_OWNER,
        /** A reference table's change that no joining shard needs: no rebalance adds one, or not the truth's copy. */
        REFERENCE,
        /** A table without a shard key of its own: it goes where its parent row goes, which this router cannot see. */
        FOLLOWS_PARENT,
        /** A fence marker while no rebalance runs. */
        IDLE_FENCE,
        /** A table's definition while no rebalance runs: no target needs it. */
        IDLE_SCHEMA
    }

    /**
     * A change no move may take, whatever the ring: it does not belong to the keyspace, or has no shard key. It is
     * counted and never forwarded; the poison watch dead-letters it, once, when it arrives.
     */
    record Poison(String reason) implements Decision {}

    /** A change that cannot be routed under this ring; it goes to the dead-letter topic with the reason. */
    record Reject(String reason) implements Decision {}
}
