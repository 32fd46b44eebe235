package dev.shardflow.core.strategy;

import java.util.Objects;

/** The ordered values from {@code lower} (inclusive; null: unbounded) to {@code upper} (exclusive; null: unbounded). */
public record ValueRange(String lower, String upper, String from, String to) implements MoveRange {

    public ValueRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    @Override
    public String keys() {
        return "values [" + (lower == null ? "-inf" : lower) + ", " + (upper == null ? "+inf" : upper) + ")";
    }

    @Override
    public String toString() {
        return keys() + " " + from + " -> " + to;
    }
}
