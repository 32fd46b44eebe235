package dev.shardflow.core.topology;

import dev.shardflow.core.strategy.ShardingStrategy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A keyspace at one epoch: its tables, its shards, and the strategy that places rows on them. Immutable; a
 * rebalance produces the topology of the next epoch.
 */
public record Topology(String keyspace, long epoch, String topicPrefix, List<TableSpec> tables, List<ShardSpec> shards,
        ShardingStrategy strategy, List<ViewSpec> views) {

    public Topology {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        tables = List.copyOf(tables);
        shards = List.copyOf(shards);
        Objects.requireNonNull(strategy, "strategy");
        views = List.copyOf(views);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
    }

    /** A topology without views. */
    public Topology(String keyspace, long epoch, String topicPrefix, List<TableSpec> tables, List<ShardSpec> shards,
            ShardingStrategy strategy) {
        this(keyspace, epoch, topicPrefix, tables, shards, strategy, List.of());
    }

    public Optional<ShardSpec> shard(String id) {
        return shards.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public Optional<TableSpec> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
