package dev.shardflow.core.strategy;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An explicit map from shard-key value to shard, with a default for every value not listed; for example country to
 * region: {@code DE, AT, CH -> eu}, {@code US, CA -> us}, everything else to {@code intl}. Values are compared by
 * their string form.
 */
public final class ListStrategy implements ShardingStrategy {
    private final Map<String, String> owners;
    private final String defaultShard;

    private ListStrategy(Map<String, String> owners, String defaultShard) {
        this.owners = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(owners));
        this.defaultShard = defaultShard;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Values per shard, then the default. */
    public static final class Builder {
        private final Map<String, String> owners = new LinkedHashMap<>();
        private String defaultShard;

        public Builder values(String shard, List<String> values) {
            for (String value : values) {
                String previous = owners.putIfAbsent(value, shard);
                if (previous != null) {
                    throw new IllegalArgumentException("value '" + value + "' is listed for both " + previous + " and "
                            + shard + "; list each value once");
                }
            }
            return this;
        }

        public Builder defaultShard(String shard) {
            this.defaultShard = shard;
            return this;
        }

        public ListStrategy build() {
            if (defaultShard == null && owners.isEmpty()) {
                throw new IllegalArgumentException("a list strategy needs values or a default shard");
            }
            return new ListStrategy(owners, defaultShard);
        }
    }

    @Override
    public String ownerOf(Object value) {
        Objects.requireNonNull(value, "shard key value is null");
        String owner = owners.get(value.toString());
        if (owner != null) {
            return owner;
        }
        if (defaultShard == null) {
            throw new IllegalArgumentException("'" + value + "' is not listed and there is no default shard");
        }
        return defaultShard;
    }

    /** Value to shard, in configuration order. */
    public Map<String, String> owners() {
        return owners;
    }

    /** The default shard, or null. */
    public String defaultShard() {
        return defaultShard;
    }

    @Override
    public List<String> shards() {
        LinkedHashSet<String> shards = new LinkedHashSet<>(owners.values());
        if (defaultShard != null) {
            shards.add(defaultShard);
        }
        return List.copyOf(shards);
    }

    @Override
    public String toString() {
        return "ListStrategy[" + owners + ", default " + defaultShard + "]";
    }
}
