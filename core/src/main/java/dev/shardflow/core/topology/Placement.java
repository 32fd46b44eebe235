package dev.shardflow.core.topology;

import java.util.Objects;
import java.util.Optional;

/**
 * Where keys live while a topology state is in force: the topology routed by, and during a rebalance the other
 * side. The one answer to "who owns this key" and "is this key moving" — a key moves when its owners on the two
 * sides differ — for routers, the rebalancer, verify and the API alike.
 *
 * @param current the topology in force
 * @param other the other side of a running rebalance (the next topology before cutover, the previous one after),
 *     or null when none runs
 */
public record Placement(Topology current, Topology other) {

    public Placement {
        Objects.requireNonNull(current, "current");
    }

    public static Placement steady(Topology topology) {
        return new Placement(topology, null);
    }

    /** The key's owner in the topology in force. */
    public String ownerOf(Object shardKey) {
        return current.strategy().ownerOf(shardKey);
    }

    /** The key's owner on the other side of the running rebalance; empty when none runs. */
    public Optional<String> otherOwnerOf(Object shardKey) {
        return other == null ? Optional.empty() : Optional.of(other.strategy().ownerOf(shardKey));
    }

    /** True while a rebalance runs in which the key's owner changes. */
    public boolean moving(Object shardKey) {
        return other != null && moving(shardKey, ownerOf(shardKey));
    }

    /** {@link #moving}, given the key's owner as {@link #ownerOf} found it (one lookup fewer on a hot path). */
    public boolean moving(Object shardKey, String owner) {
        return other != null && !owner.equals(other.strategy().ownerOf(shardKey));
    }

    /** A shard of either side by id. */
    public Optional<ShardSpec> shard(String shardId) {
        return current.shard(shardId).or(() -> other == null ? Optional.empty() : other.shard(shardId));
    }
}
