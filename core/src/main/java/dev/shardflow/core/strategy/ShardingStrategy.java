package dev.shardflow.core.strategy;

import java.util.List;

/**
 * Decides which shard owns a row from the value of its shard key. Implementations are immutable and built once per
 * topology epoch, so the same value always lands on the same shard within an epoch.
 */
public interface ShardingStrategy {

    /**
     * The shard that owns a row whose shard key holds {@code value}.
     *
     * @throws IllegalArgumentException if the value is null or of a kind this strategy cannot place
     */
    String ownerOf(Object value);

    /** Every shard this strategy can name, in the order the configuration gave them. */
    List<String> shards();
}
