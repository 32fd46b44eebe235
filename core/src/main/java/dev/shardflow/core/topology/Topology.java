package dev.shardflow.core.topology;

import dev.shardflow.core.schema.DdlPolicy;
import dev.shardflow.core.strategy.ShardingStrategy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A keyspace at one epoch: its tables, its shards, and the strategy that places rows on them. Immutable; a
 * rebalance produces the topology of the next epoch.
 */
public record Topology(String keyspace, long epoch, String topicPrefix, List<TableSpec> tables, List<ShardSpec> shards,
        ShardingStrategy strategy, List<ViewSpec> views, long maxRowBytes, DdlPolicy ddl) {
    /** The largest row the keyspace carries unless its file says otherwise ({@code maxRowBytes}): 16 MiB. */
    public static final long DEFAULT_MAX_ROW_BYTES = 16L * 1024 * 1024;
    /** The largest {@code maxRowBytes} a keyspace may declare: a change of two such images still fits a record. */
    public static final long MAX_MAX_ROW_BYTES = 512L * 1024 * 1024;
    private static final int ENVELOPE_ALLOWANCE = 1024 * 1024;

    public Topology {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        tables = List.copyOf(tables);
        shards = List.copyOf(shards);
        Objects.requireNonNull(strategy, "strategy");
        views = List.copyOf(views);
        Objects.requireNonNull(ddl, "ddl");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
        if (maxRowBytes < 1 || maxRowBytes > MAX_MAX_ROW_BYTES) {
            throw new IllegalArgumentException("maxRowBytes must be within 1.." + MAX_MAX_ROW_BYTES + ", was "
                    + maxRowBytes);
        }
    }

    /** A topology that propagates additive schema changes during a move ({@link DdlPolicy#PROPAGATE}). */
    public Topology(String keyspace, long epoch, String topicPrefix, List<TableSpec> tables, List<ShardSpec> shards,
            ShardingStrategy strategy, List<ViewSpec> views, long maxRowBytes) {
        this(keyspace, epoch, topicPrefix, tables, shards, strategy, views, maxRowBytes, DdlPolicy.PROPAGATE);
    }

    /** A topology whose rows are limited to {@link #DEFAULT_MAX_ROW_BYTES}. */
    public Topology(String keyspace, long epoch, String topicPrefix, List<TableSpec> tables, List<ShardSpec> shards,
            ShardingStrategy strategy, List<ViewSpec> views) {
        this(keyspace, epoch, topicPrefix, tables, shards, strategy, views, DEFAULT_MAX_ROW_BYTES);
    }

    /** A topology without views. */
    public Topology(String keyspace, long epoch, String topicPrefix, List<TableSpec> tables, List<ShardSpec> shards,
            ShardingStrategy strategy) {
        this(keyspace, epoch, topicPrefix, tables, shards, strategy, List.of());
    }

    /**
     * The largest Kafka record a change of this keyspace may need, for every topic's {@code max.message.bytes} and
     * every producer's {@code max.request.size}: a change holds up to two images of a row (before and after), each
     * up to {@code maxRowBytes} as JSON, and its envelope.
     */
    public int maxMessageBytes() {
        return maxMessageBytes(maxRowBytes);
    }

    /** {@link #maxMessageBytes()} of a keyspace whose rows are up to {@code maxRowBytes}. */
    public static int maxMessageBytes(long maxRowBytes) {
        return (int) Math.min(Integer.MAX_VALUE, 2 * maxRowBytes + ENVELOPE_ALLOWANCE);
    }

    /** The same topology with another row limit. */
    public Topology withMaxRowBytes(long bytes) {
        return new Topology(keyspace, epoch, topicPrefix, tables, shards, strategy, views, bytes, ddl);
    }

    /** The same topology with another policy for schema changes. */
    public Topology withDdl(DdlPolicy policy) {
        return new Topology(keyspace, epoch, topicPrefix, tables, shards, strategy, views, maxRowBytes, policy);
    }

    public Optional<ShardSpec> shard(String id) {
        return shards.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public Optional<TableSpec> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
