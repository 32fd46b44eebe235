package dev.shardflow.core.strategy;

import java.util.List;
import java.util.Objects;

/**
 * Listed values that change owner; with {@code unlisted} set, also every value that neither strategy lists (the
 * default shard changed).
 */
public record ValueSet(List<String> values, boolean unlisted, String from, String to) implements MoveRange {

    public ValueSet {
        values = List.copyOf(values);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    @Override
    public String keys() {
        return unlisted ? "every unlisted value" : "values " + String.join(", ", values);
    }

    @Override
    public String toString() {
        return keys() + " " + from + " -> " + to;
    }
}
