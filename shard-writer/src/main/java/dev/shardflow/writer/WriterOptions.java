package dev.shardflow.writer;

import static dev.shardflow.writer.WriterSettings.BACKOFF_INITIAL_MS;
import static dev.shardflow.writer.WriterSettings.BACKOFF_MAX_MS;
import static dev.shardflow.writer.WriterSettings.BOOTSTRAP_SERVERS;
import static dev.shardflow.writer.WriterSettings.CONNECTION_TIMEOUT_MS;
import static dev.shardflow.writer.WriterSettings.CONSUMERS;
import static dev.shardflow.writer.WriterSettings.LOG_INTERVAL_MS;
import static dev.shardflow.writer.WriterSettings.MANAGE_SCHEMA;
import static dev.shardflow.writer.WriterSettings.MAX_BATCH_ROWS;
import static dev.shardflow.writer.WriterSettings.POOL_SIZE;
import static dev.shardflow.writer.WriterSettings.ROWS_PER_STATEMENT;
import static dev.shardflow.writer.WriterSettings.SESSION_TIMEOUT_MS;
import static dev.shardflow.writer.WriterSettings.SHARD;
import static dev.shardflow.writer.WriterSettings.TOPICS;
import static dev.shardflow.writer.WriterSettings.TOPOLOGY;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.SettingsReader;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.retry.Backoff;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a writer runs with: its target shard, the topics it applies, and its batch, pool and retry tuning.
 *
 * @param groupId the consumer group of the shard's writer instances, {@link ConsumerGroups#writer}: the topology
 *     service reads the cutover's lag by it, so it is not a setting
 */
public record WriterOptions(Topology topology, ShardSpec shard, KafkaConnection kafka, List<String> topics,
        String groupId, int sessionTimeoutMs, int consumers, int maxBatchRows, int rowsPerStatement, int poolSize,
        long connectionTimeoutMs, Backoff backoff, boolean manageSchema, long logIntervalMs) {

    public WriterOptions {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(groupId, "groupId");
        topics = List.copyOf(topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("kafka.topics: a writer needs at least one topic");
        }
        Objects.requireNonNull(backoff, "backoff");
        if (poolSize <= consumers) {
            throw new IllegalArgumentException("pool.maxSize (" + poolSize + ") must be larger than consumers ("
                    + consumers + "): each consumer writes over its own connection and one more reads table metadata");
        }
    }

    /** A writer of {@code shardId}'s apply topic with the declared defaults. */
    public static WriterOptions defaults(Topology topology, String shardId, String bootstrapServers) {
        return defaults(topology, shardId, KafkaConnection.plain(bootstrapServers));
    }

    public static WriterOptions defaults(Topology topology, String shardId, KafkaConnection kafka) {
        ShardSpec shard = shardOf(topology, shardId);
        return new WriterOptions(topology, shard, kafka, List.of(TopicNames.of(topology).apply(shardId)),
                ConsumerGroups.writer(topology.keyspace(), shardId), SESSION_TIMEOUT_MS.defaultValue(), CONSUMERS.defaultValue(),
                MAX_BATCH_ROWS.defaultValue(),
                ROWS_PER_STATEMENT.defaultValue(), POOL_SIZE.defaultValue(), CONNECTION_TIMEOUT_MS.defaultValue(),
                Backoff.exponential(Duration.ofMillis(BACKOFF_INITIAL_MS.defaultValue()),
                        Duration.ofMillis(BACKOFF_MAX_MS.defaultValue())),
                MANAGE_SCHEMA.defaultValue(), LOG_INTERVAL_MS.defaultValue());
    }

    /** Reads a writer YAML file; the topology path in it is relative to the file. */
    public static WriterOptions load(Path file, Map<String, String> environment) {
        SettingsReader settings = SettingsReader.of(file, environment).read(WriterSettings.ALL);
        Topology topology = TopologyLoader.load(file.toAbsolutePath().getParent().resolve(settings.get(TOPOLOGY)),
                environment);
        String shardId = settings.get(SHARD);
        if (topology.shard(shardId).isEmpty()) {
            throw new ConfigException(file.toString(), List.of("shard: unknown shard '" + shardId
                    + "'; the topology has " + topology.shards().stream().map(ShardSpec::id).toList()));
        }
        if (settings.get(BACKOFF_MAX_MS) < settings.get(BACKOFF_INITIAL_MS)) {
            throw new ConfigException(file.toString(), List.of("backoff.maxMs: must not be shorter than "
                    + "backoff.initialMs (" + settings.get(BACKOFF_INITIAL_MS) + ")"));
        }
        if (settings.get(POOL_SIZE) <= settings.get(CONSUMERS)) {
            throw new ConfigException(file.toString(), List.of("pool.maxSize: must be larger than consumers ("
                    + settings.get(CONSUMERS) + "); each consumer writes over its own connection"));
        }
        List<String> topics = Arrays.stream(settings.get(TOPICS).split(",")).map(String::trim)
                .map(t -> t.equals("apply") ? TopicNames.of(topology).apply(shardId) : t).toList();
        KafkaConnection kafka = KafkaConnection.of(settings.get(BOOTSTRAP_SERVERS),
                settings.get(KafkaConnection.PROPERTIES), environment::get);
        return new WriterOptions(topology, shardOf(topology, shardId), kafka, topics,
                ConsumerGroups.writer(topology.keyspace(), shardId), settings.get(SESSION_TIMEOUT_MS), settings.get(CONSUMERS), settings.get(MAX_BATCH_ROWS),
                settings.get(ROWS_PER_STATEMENT), settings.get(POOL_SIZE), settings.get(CONNECTION_TIMEOUT_MS),
                Backoff.exponential(Duration.ofMillis(settings.get(BACKOFF_INITIAL_MS)),
                        Duration.ofMillis(settings.get(BACKOFF_MAX_MS))),
                settings.get(MANAGE_SCHEMA), settings.get(LOG_INTERVAL_MS));
    }

    public WriterOptions withTopics(List<String> newTopics) {
        return new WriterOptions(topology, shard, kafka, newTopics, groupId, sessionTimeoutMs, consumers, maxBatchRows,
                rowsPerStatement, poolSize, connectionTimeoutMs, backoff, manageSchema, logIntervalMs);
    }

    /** Another group, for tests that apply one topic more than once from its start. */
    WriterOptions withGroupId(String newGroupId) {
        return new WriterOptions(topology, shard, kafka, topics, newGroupId, sessionTimeoutMs, consumers,
                maxBatchRows, rowsPerStatement, poolSize, connectionTimeoutMs, backoff, manageSchema, logIntervalMs);
    }

    public WriterOptions withConsumers(int newConsumers) {
        return new WriterOptions(topology, shard, kafka, topics, groupId, sessionTimeoutMs, newConsumers,
                maxBatchRows, rowsPerStatement, Math.max(poolSize, newConsumers + 1), connectionTimeoutMs, backoff,
                manageSchema, logIntervalMs);
    }

    public WriterOptions withBatch(int newMaxBatchRows, int newRowsPerStatement) {
        return new WriterOptions(topology, shard, kafka, topics, groupId, sessionTimeoutMs, consumers, newMaxBatchRows,
                newRowsPerStatement, poolSize, connectionTimeoutMs, backoff, manageSchema, logIntervalMs);
    }

    public WriterOptions withBackoff(Backoff newBackoff) {
        return new WriterOptions(topology, shard, kafka, topics, groupId, sessionTimeoutMs, consumers, maxBatchRows,
                rowsPerStatement, poolSize, connectionTimeoutMs, newBackoff, manageSchema, logIntervalMs);
    }

    public WriterOptions withLogIntervalMs(long intervalMs) {
        return new WriterOptions(topology, shard, kafka, topics, groupId, sessionTimeoutMs, consumers, maxBatchRows,
                rowsPerStatement, poolSize, connectionTimeoutMs, backoff, manageSchema, intervalMs);
    }


    private static ShardSpec shardOf(Topology topology, String shardId) {
        return topology.shard(shardId).orElseThrow(() -> new IllegalArgumentException("shard: unknown shard '"
                + shardId + "'; the topology has " + topology.shards().stream().map(ShardSpec::id).toList()));
    }
}
