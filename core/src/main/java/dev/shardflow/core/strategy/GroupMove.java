package dev.shardflow.core.strategy;

import java.util.Objects;

/** A move inside one group of a {@link CompositeStrategy}: the group's first-value range, then the inner move. */
public record GroupMove(String group, MoveRange inner) implements MoveRange {

    public GroupMove {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(inner, "inner");
    }

    @Override
    public String from() {
        return inner.from();
    }

    @Override
    public String to() {
        return inner.to();
    }

    @Override
    public String keys() {
        return "group " + group + ", " + inner.keys();
    }

    @Override
    public String toString() {
        return keys() + " " + from() + " -> " + to();
    }
}
