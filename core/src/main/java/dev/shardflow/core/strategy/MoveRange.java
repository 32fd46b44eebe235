package dev.shardflow.core.strategy;

/**
 * A set of shard-key values whose owner differs between two strategies: a token range of a ring, a range of
 * ordered values, or a list of values.
 */
public interface MoveRange {

    /** The owner under the old strategy. */
    String from();

    /** The owner under the new strategy. */
    String to();

    /** The keys this move covers, for people: {@code [0x1f…, 0x2a…)}, {@code [2024-01-01, 2025-01-01)}, {@code DE, AT}. */
    String keys();
}
