package dev.shardflow.core.topology;

import java.util.List;

/**
 * Where reference tables come from during a rebalance, agreed by the rebalancer, which copies them, and verify,
 * which compares them: the copy of the first shard of the ring in force is the truth, and every shard that the other
 * topology's ring has and this one lacks — a shard joining the ring — receives it.
 */
public final class ReferenceCopies {

    private ReferenceCopies() {}

    /** The shard whose copy of every reference table is the truth: the first of the ring in force. */
    public static String truth(Topology current) {
        List<String> ring = current.strategy().shards();
        return ring.isEmpty() ? null : ring.get(0);
    }

    /** The shards of {@code other}'s ring that {@code current}'s ring lacks, in ring order. */
    public static List<String> joining(Topology current, Topology other) {
        List<String> ring = current.strategy().shards();
        return other.strategy().shards().stream().filter(shard -> !ring.contains(shard)).toList();
    }
}
