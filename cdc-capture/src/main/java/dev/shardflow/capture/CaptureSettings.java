package dev.shardflow.capture;

import dev.shardflow.core.config.Setting;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.ProcessSettings;
import java.util.List;
import java.util.stream.Stream;

/** Every setting of a capture process, declared once: name, default, what it does. */
public final class CaptureSettings {
    public static final Setting<String> TOPOLOGY = Setting.text("topology", null,
            "the topology YAML file whose shards and tables are captured");
    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("kafka.bootstrapServers", null,
            "the Kafka cluster to write change topics, offsets and schema history to");
    public static final Setting<String> SHARDS = Setting.text("shards", "all",
            "comma-separated ids of the shards this process captures, or all");
    public static final Setting<Integer> TOPIC_PARTITIONS = Setting.positiveInt("kafka.topicPartitions", 6,
            "partitions of each change topic created by capture; more partitions, more parallel consumers");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.positiveInt("kafka.replicationFactor", 3,
            "replication factor of the topics capture creates (capped at the number of brokers)");
    public static final Setting<Integer> MAX_BATCH_SIZE = Setting.positiveInt("engine.maxBatchSize", 2048,
            "most change records Debezium hands over at once; bigger batches cost fewer flushes");
    public static final Setting<Integer> MAX_QUEUE_SIZE = Setting.positiveInt("engine.maxQueueSize", 8192,
            "records Debezium may buffer ahead of the producer; must be larger than engine.maxBatchSize");
    public static final Setting<Long> POLL_INTERVAL_MS = Setting.positiveLong("engine.pollIntervalMs", 10L,
            "how long Debezium waits for more records before handing over a partial batch: a change that does not "
                    + "fill a batch waits up to this long, so it is capture's part of every latency");
    public static final Setting<Integer> SNAPSHOT_FETCH_SIZE = Setting.positiveInt("engine.snapshotFetchSize", 10000,
            "rows fetched per round trip while snapshotting a table");
    public static final Setting<Long> OFFSET_FLUSH_INTERVAL_MS = Setting.positiveLong("engine.offsetFlushIntervalMs",
            1000L, "how often source offsets are committed; it bounds the duplicates re-sent after a crash");
    public static final Setting<Long> HEARTBEAT_INTERVAL_MS = Setting.positiveLong("engine.heartbeatIntervalMs",
            10000L, "heartbeats move an idle PostgreSQL slot forward so the source does not retain WAL");
    public static final Setting<Integer> RESTART_ATTEMPTS = Setting.positiveInt("engine.restartAttempts", 10,
            "restarts in a row of a shard's failed engine, from its last committed position, before the shard stays "
                    + "FAILED; an engine that captured a change, or ran 10 minutes, before failing starts the count "
                    + "again");
    public static final Setting<Long> RESTART_BACKOFF_MAX_MS = Setting.positiveLong("engine.restartBackoffMaxMs",
            60000L, "the longest wait before a restart: the waits double from 1 s up to this");
    /** Each shard's stop is bounded by it too: what Kafka has not acknowledged by then is captured again. */
    public static final Setting<Long> SHUTDOWN_TIMEOUT_MS = ProcessSettings.SHUTDOWN_TIMEOUT_MS;
    public static final Setting<Long> LOG_INTERVAL_MS = Setting.positiveLong("logIntervalMs", 10000L,
            "how often each shard logs its rate, lag and position");
    public static final Setting<Long> SOURCE_LOG_WARN_BYTES = Setting.positiveLong("sourceLog.warnBytes",
            1024L * 1024 * 1024, "source log held back for a shard's capture (PostgreSQL WAL of its slot, MariaDB/MySQL "
                    + "binlog files not yet read) above which its status and log warn: the source cannot free it "
                    + "until capture catches up");
    public static final Setting<Integer> HTTP_PORT = ProcessSettings.httpPort(9401);

    public static final List<Setting<?>> ALL = Stream.concat(Stream.of(TOPOLOGY, BOOTSTRAP_SERVERS, KafkaConnection.PROPERTIES, SHARDS,
            TOPIC_PARTITIONS, REPLICATION_FACTOR, MAX_BATCH_SIZE, MAX_QUEUE_SIZE, POLL_INTERVAL_MS, SNAPSHOT_FETCH_SIZE,
            OFFSET_FLUSH_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, RESTART_ATTEMPTS, RESTART_BACKOFF_MAX_MS,
            LOG_INTERVAL_MS, SOURCE_LOG_WARN_BYTES), ProcessSettings.with(HTTP_PORT).stream()).toList();

    private CaptureSettings() {}
}
