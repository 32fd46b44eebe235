package dev.shardflow.core.topology;

import java.util.Objects;

/** The names of a keyspace's topics, all under one prefix (by default {@code sf.<keyspace>}). */
public record TopicNames(String prefix) {

    public TopicNames {
        Objects.requireNonNull(prefix, "prefix");
    }

    public static TopicNames of(Topology topology) {
        return new TopicNames(topology.topicPrefix());
    }

    /** Every shard's physical rows of one table, compacted; keyed by source shard and primary key. */
    public String cdc(String table) {
        return prefix + ".cdc." + table;
    }

    /** The changes one target shard's writer applies. */
    public String apply(String shardId) {
        return prefix + ".apply." + shardId;
    }

    public String view(String view) {
        return prefix + ".view." + view;
    }

    public String topology() {
        return prefix + ".topology";
    }

    public String dlq() {
        return prefix + ".dlq";
    }

    /** Where capture keeps the Debezium offsets of its engines. */
    public String captureOffsets() {
        return prefix + ".capture.offsets";
    }

    /** Where capture keeps the schema history of one binlog source. */
    public String captureSchemaHistory(String shardId) {
        return prefix + ".capture.schema-history." + shardId;
    }
}
