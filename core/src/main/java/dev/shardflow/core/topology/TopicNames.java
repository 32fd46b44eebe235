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

    /** Every rebalance of the keyspace, compacted; keyed by rebalance id. Written by the topology service only. */
    public String rebalances() {
        return prefix + ".rebalances";
    }

    /** Whose turn it is to change the topology: the one partition a topology-service instance holds to lead. */
    public String topologyLeader() {
        return prefix + ".topology-service.leader";
    }

    /** Application routers' heartbeats and fence acknowledgements, keyed by router id. */
    public String routers() {
        return prefix + ".routers";
    }

    /**
     * The rebalancer's topic children pass through keyed by their parent row, so that they meet their parents in
     * one task; it has as many partitions as the parents' change topics.
     */
    public String childrenByParent() {
        return prefix + ".rebalancer.children-by-parent";
    }

    public String dlq() {
        return prefix + ".dlq";
    }

    /**
     * The change records found poison, compacted, keyed by {@code <topic>/<partition>/<offset>}: each is dead-lettered
     * once, by the rebalancer's poison watch, which reads this topic to know the ones it already has.
     */
    public String poison() {
        return prefix + ".poison";
    }

    /** Where capture keeps the Debezium offsets of its engines. */
    public String captureOffsets() {
        return prefix + ".capture.offsets";
    }

    /** Where each capture process reports how its shards stand ({@code CaptureReport}, keyed by shard). */
    public String captureStatus() {
        return prefix + ".capture.status";
    }

    /** Where capture keeps the schema history of one binlog source. */
    public String captureSchemaHistory(String shardId) {
        return prefix + ".capture.schema-history." + shardId;
    }
}
