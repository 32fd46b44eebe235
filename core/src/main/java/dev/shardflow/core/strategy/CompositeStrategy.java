package dev.shardflow.core.strategy;

import dev.shardflow.core.ring.HashRing;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Two-level placement, as in the sharding chapter's e-commerce layout: an ordered range strategy picks a group from
 * the first value (orders by year of {@code order_date}), then that group's hash ring picks the shard from the
 * second value (the user id). The shard-key value is a {@link Key}, or a two-element list in that order.
 */
public final class CompositeStrategy implements ShardingStrategy {

    /** The two values a composite strategy places a row by. */
    public record Key(Object outer, Object inner) {
        public Key {
            Objects.requireNonNull(outer, "outer shard key value is null");
            Objects.requireNonNull(inner, "inner shard key value is null");
        }
    }

    private final RangeStrategy groups;
    private final Map<String, HashRing> rings;

    /**
     * @param groups maps the first value to a group name (its "shards" are group names)
     * @param rings the ring of each group
     */
    public CompositeStrategy(RangeStrategy groups, Map<String, HashRing> rings) {
        this.groups = Objects.requireNonNull(groups, "groups");
        this.rings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rings));
        for (String group : groups.shards()) {
            if (!rings.containsKey(group)) {
                throw new IllegalArgumentException("group " + group + " has no ring; give every group of the range "
                        + "strategy a ring of shards");
            }
        }
    }

    @Override
    public String ownerOf(Object value) {
        Key key = asKey(value);
        return rings.get(groups.ownerOf(key.outer())).ownerOf(key.inner());
    }

    /** The group a first value falls in. */
    public String groupOf(Object outerValue) {
        return groups.ownerOf(outerValue);
    }

    public RangeStrategy groups() {
        return groups;
    }

    public Map<String, HashRing> rings() {
        return rings;
    }

    @Override
    public List<String> shards() {
        LinkedHashSet<String> shards = new LinkedHashSet<>();
        rings.values().forEach(ring -> shards.addAll(ring.shards()));
        return List.copyOf(shards);
    }

    private static Key asKey(Object value) {
        if (value instanceof Key key) {
            return key;
        }
        if (value instanceof List<?> list && list.size() == 2) {
            return new Key(list.get(0), list.get(1));
        }
        throw new IllegalArgumentException("a composite strategy places rows by two values (for example order_date "
                + "and user_id), got " + value);
    }

    @Override
    public String toString() {
        return "CompositeStrategy[" + groups + ", " + rings + "]";
    }
}
