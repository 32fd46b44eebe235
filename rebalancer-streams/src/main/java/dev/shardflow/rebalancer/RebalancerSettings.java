package dev.shardflow.rebalancer;

import dev.shardflow.core.config.Setting;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.ProcessSettings;
import java.util.List;
import java.util.stream.Stream;

/** Every setting of a rebalancer process, declared once: name, default, what it does. */
public final class RebalancerSettings {
    public static final Setting<String> TOPOLOGY = Setting.text("topology", null,
            "the topology YAML file routed by while the topology topic holds no state for the keyspace");
    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("kafka.bootstrapServers", null,
            "the Kafka cluster of the change, apply, topology and dead-letter topics");
    public static final Setting<String> APPLICATION_ID = Setting.text("kafka.applicationId", "default",
            "the Kafka Streams application id shared by every instance; default means shardflow-rebalancer-<keyspace>");
    public static final Setting<String> PROCESSING_GUARANTEE = new Setting<>("kafka.processingGuarantee", String.class,
            "exactly_once_v2", "exactly_once_v2, or at_least_once where a writer's version guard absorbs duplicates",
            value -> value.equals("exactly_once_v2") || value.equals("at_least_once") ? null
                    : "must be exactly_once_v2 or at_least_once");
    public static final Setting<Integer> APPLY_PARTITIONS = Setting.positiveInt("kafka.applyPartitions", 6,
            "partitions of each apply topic the rebalancer creates; more partitions, more writer consumers");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.positiveInt("kafka.replicationFactor", 3,
            "replication factor of the topics the rebalancer creates (capped at the number of brokers)");
    public static final Setting<Integer> THREADS = Setting.positiveInt("streams.threads", 1,
            "stream threads of this instance; add threads or instances up to the partitions of the change topics");
    public static final Setting<Long> COMMIT_INTERVAL_MS = Setting.positiveLong("streams.commitIntervalMs", 100L,
            "the longest a live change (captured in the last 2 s) waits for a move's transaction to commit: its "
                    + "latency to the writers, and a fence marker's");
    public static final Setting<Long> BULK_COMMIT_INTERVAL_MS = Setting.positiveLong("streams.bulkCommitIntervalMs",
            1000L, "how often a move's transaction commits while it forwards only history or a backlog (a copy): longer means "
                    + "fewer commits and more throughput, and a longer redo after a crash");
    public static final Setting<Long> VIEWS_COMMIT_INTERVAL_MS = Setting.positiveLong("streams.viewsCommitIntervalMs",
            1000L, "how often the views' transaction commits: how fresh a view is, against the cost of a commit (one "
                    + "marker per partition written) for every record of a first build");
    public static final Setting<String> STATE_DIR = Setting.text("streams.stateDir", "default",
            "where local state lives; default means a directory under the system temporary directory");

    public static final Setting<Integer> HTTP_PORT = ProcessSettings.httpPort(9402);

    public static final Setting<Long> MAX_CAPTURE_LAG_MS = new Setting<>("throttle.maxCaptureLagMs", Long.class, 0L,
            "a move forwards nothing while a source's capture lag is above this (ms), until it is below again; 0: off",
            value -> value >= 0 ? null : "must be 0 (off) or positive");
    public static final Setting<Long> MAX_APPLY_LAG_RECORDS = new Setting<>("throttle.maxApplyLagRecords",
            Long.class, 0L, "a move forwards nothing while a target writer is more change records than this behind "
                    + "its apply topic, until it is below again; 0: off",
            value -> value >= 0 ? null : "must be 0 (off) or positive");

    public static final List<Setting<?>> ALL = Stream.concat(Stream.of(TOPOLOGY, BOOTSTRAP_SERVERS, KafkaConnection.PROPERTIES, APPLICATION_ID,
            PROCESSING_GUARANTEE, APPLY_PARTITIONS, REPLICATION_FACTOR, THREADS, COMMIT_INTERVAL_MS,
            BULK_COMMIT_INTERVAL_MS, VIEWS_COMMIT_INTERVAL_MS, STATE_DIR, MAX_CAPTURE_LAG_MS,
            MAX_APPLY_LAG_RECORDS), ProcessSettings.with(HTTP_PORT).stream())
            .toList();

    private RebalancerSettings() {}
}
