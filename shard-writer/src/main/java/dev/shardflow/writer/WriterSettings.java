package dev.shardflow.writer;

import dev.shardflow.core.config.Setting;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.ProcessSettings;
import java.util.List;
import java.util.stream.Stream;

/** Every setting of a writer process, declared once: name, default, what it does. */
public final class WriterSettings {
    public static final Setting<String> TOPOLOGY = Setting.text("topology", null,
            "the topology YAML file that names the target shard and how to reach it");
    public static final Setting<String> SHARD = Setting.text("shard", null,
            "the id of the target shard this writer applies changes to");
    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("kafka.bootstrapServers", null,
            "the Kafka cluster the apply topics live on");
    public static final Setting<String> TOPICS = Setting.text("kafka.topics", "apply",
            "comma-separated topics to apply; apply means the shard's <prefix>.apply.<shard> topic");
    public static final Setting<Integer> SESSION_TIMEOUT_MS = Setting.positiveInt("kafka.sessionTimeoutMs", 45000,
            "how long the group waits for a silent instance before its partitions go to another one");
    public static final Setting<Integer> CONSUMERS = Setting.positiveInt("consumers", 2,
            "consumer loops in this process, each applying its share of the partitions over its own connection");
    public static final Setting<Integer> MAX_BATCH_ROWS = Setting.positiveInt("batch.maxRows", 4000,
            "most changes applied in one database transaction (one Kafka poll)");
    public static final Setting<Integer> ROWS_PER_STATEMENT = Setting.positiveInt("batch.rowsPerStatement", 500,
            "rows in one multi-row upsert statement");
    public static final Setting<Integer> POOL_SIZE = Setting.positiveInt("pool.maxSize", 3,
            "connections the writer keeps to the target shard; at least one more than consumers");
    public static final Setting<Long> CONNECTION_TIMEOUT_MS = Setting.positiveLong("pool.connectionTimeoutMs", 5000L,
            "how long to wait for a connection before the attempt counts as failed and is retried");
    public static final Setting<Long> BACKOFF_INITIAL_MS = Setting.positiveLong("backoff.initialMs", 200L,
            "first wait after the target could not be reached; each next wait doubles");
    public static final Setting<Long> BACKOFF_MAX_MS = Setting.positiveLong("backoff.maxMs", 10000L,
            "longest wait between two attempts; the writer retries until the target is back and never skips a change");
    public static final Setting<Boolean> MANAGE_SCHEMA = new Setting<>("manageSchema", Boolean.class, true,
            "add the _sf_version column (and _sf_version_<column> for in-place views) to target tables that lack it; "
                    + "off, a missing column fails the start",
            value -> null);
    public static final Setting<Long> LOG_INTERVAL_MS = Setting.positiveLong("logIntervalMs", 10000L,
            "how often the writer logs its rate per table, DLQ count and retries");
    public static final Setting<Integer> HTTP_PORT = ProcessSettings.httpPort(9403);

    public static final List<Setting<?>> ALL = Stream.concat(Stream.of(TOPOLOGY, SHARD, BOOTSTRAP_SERVERS, KafkaConnection.PROPERTIES, TOPICS,
            SESSION_TIMEOUT_MS, CONSUMERS, MAX_BATCH_ROWS, ROWS_PER_STATEMENT, POOL_SIZE, CONNECTION_TIMEOUT_MS,
            BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, MANAGE_SCHEMA, LOG_INTERVAL_MS), ProcessSettings.with(HTTP_PORT)
            .stream()).toList();

    private WriterSettings() {}
}
