package dev.shardflow.capture;

import static dev.shardflow.capture.CaptureSettings.BOOTSTRAP_SERVERS;
import static dev.shardflow.capture.CaptureSettings.HEARTBEAT_INTERVAL_MS;
import static dev.shardflow.capture.CaptureSettings.LOG_INTERVAL_MS;
import static dev.shardflow.capture.CaptureSettings.MAX_BATCH_SIZE;
import static dev.shardflow.capture.CaptureSettings.MAX_QUEUE_SIZE;
import static dev.shardflow.capture.CaptureSettings.OFFSET_FLUSH_INTERVAL_MS;
import static dev.shardflow.capture.CaptureSettings.POLL_INTERVAL_MS;
import static dev.shardflow.capture.CaptureSettings.REPLICATION_FACTOR;
import static dev.shardflow.capture.CaptureSettings.RESTART_ATTEMPTS;
import static dev.shardflow.capture.CaptureSettings.RESTART_BACKOFF_MAX_MS;
import static dev.shardflow.capture.CaptureSettings.SHARDS;
import static dev.shardflow.capture.CaptureSettings.SHUTDOWN_TIMEOUT_MS;
import static dev.shardflow.capture.CaptureSettings.SNAPSHOT_FETCH_SIZE;
import static dev.shardflow.capture.CaptureSettings.SOURCE_LOG_WARN_BYTES;
import static dev.shardflow.capture.CaptureSettings.TOPIC_PARTITIONS;
import static dev.shardflow.capture.CaptureSettings.TOPOLOGY;

import dev.shardflow.core.config.SettingsReader;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a capture runs with: the topology, the Kafka cluster, which shards, and the engine tuning. */
public record CaptureOptions(Topology topology, KafkaConnection kafka, List<String> shards, int topicPartitions,
        int replicationFactor, int maxBatchSize, int maxQueueSize, long pollIntervalMs, int snapshotFetchSize,
        long offsetFlushIntervalMs, long heartbeatIntervalMs, int restartAttempts, long restartBackoffMaxMs,
        long shutdownTimeoutMs, long logIntervalMs, long sourceLogWarnBytes) {

    public CaptureOptions {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(kafka, "kafka");
        shards = List.copyOf(shards);
        for (String shard : shards) {
            if (topology.shard(shard).isEmpty()) {
                throw new IllegalArgumentException("shards: unknown shard '" + shard + "'; the topology has "
                        + topology.shards().stream().map(s -> s.id()).toList());
            }
        }
        if (maxQueueSize <= maxBatchSize) {
            throw new IllegalArgumentException("engine.maxQueueSize (" + maxQueueSize
                    + ") must be larger than engine.maxBatchSize (" + maxBatchSize + ")");
        }
    }

    /** Every shard of the topology, with the declared defaults, on a cluster reached by its address alone. */
    public static CaptureOptions defaults(Topology topology, String bootstrapServers) {
        return defaults(topology, KafkaConnection.plain(bootstrapServers));
    }

    /** Every shard of the topology, with the declared defaults. */
    public static CaptureOptions defaults(Topology topology, KafkaConnection kafka) {
        return new CaptureOptions(topology, kafka, topology.shards().stream().map(s -> s.id()).toList(),
                TOPIC_PARTITIONS.defaultValue(), REPLICATION_FACTOR.defaultValue(), MAX_BATCH_SIZE.defaultValue(),
                MAX_QUEUE_SIZE.defaultValue(), POLL_INTERVAL_MS.defaultValue(), SNAPSHOT_FETCH_SIZE.defaultValue(),
                OFFSET_FLUSH_INTERVAL_MS.defaultValue(), HEARTBEAT_INTERVAL_MS.defaultValue(),
                RESTART_ATTEMPTS.defaultValue(), RESTART_BACKOFF_MAX_MS.defaultValue(),
                SHUTDOWN_TIMEOUT_MS.defaultValue(), LOG_INTERVAL_MS.defaultValue(),
                SOURCE_LOG_WARN_BYTES.defaultValue());
    }

    /** Reads a capture YAML file; the topology path in it is relative to the file. */
    public static CaptureOptions load(Path file, Map<String, String> environment) {
        SettingsReader settings = SettingsReader.of(file, environment).read(CaptureSettings.ALL);
        Path topologyFile = file.toAbsolutePath().getParent().resolve(settings.get(TOPOLOGY));
        Topology topology = TopologyLoader.load(topologyFile, environment);
        String shardList = settings.get(SHARDS);
        List<String> shards = shardList.equals("all") ? topology.shards().stream().map(s -> s.id()).toList()
                : Arrays.stream(shardList.split(",")).map(String::trim).toList();
        KafkaConnection kafka = KafkaConnection.of(settings.get(BOOTSTRAP_SERVERS),
                settings.get(KafkaConnection.PROPERTIES), environment::get);
        return new CaptureOptions(topology, kafka, shards, settings.get(TOPIC_PARTITIONS),
                settings.get(REPLICATION_FACTOR), settings.get(MAX_BATCH_SIZE), settings.get(MAX_QUEUE_SIZE),
                settings.get(POLL_INTERVAL_MS), settings.get(SNAPSHOT_FETCH_SIZE), settings.get(OFFSET_FLUSH_INTERVAL_MS),
                settings.get(HEARTBEAT_INTERVAL_MS), settings.get(RESTART_ATTEMPTS),
                settings.get(RESTART_BACKOFF_MAX_MS), settings.get(SHUTDOWN_TIMEOUT_MS), settings.get(LOG_INTERVAL_MS),
                settings.get(SOURCE_LOG_WARN_BYTES));
    }

    /** The same options with other engine batch, queue, poll and fetch settings. */
    public CaptureOptions withEngine(int batchSize, int queueSize, long pollMs, int fetchSize) {
        return new CaptureOptions(topology, kafka, shards, topicPartitions, replicationFactor, batchSize,
                queueSize, pollMs, fetchSize, offsetFlushIntervalMs, heartbeatIntervalMs, restartAttempts,
                restartBackoffMaxMs, shutdownTimeoutMs, logIntervalMs, sourceLogWarnBytes);
    }

    public CaptureOptions withHeartbeatIntervalMs(long intervalMs) {
        return new CaptureOptions(topology, kafka, shards, topicPartitions, replicationFactor, maxBatchSize,
                maxQueueSize, pollIntervalMs, snapshotFetchSize, offsetFlushIntervalMs, intervalMs, restartAttempts,
                restartBackoffMaxMs, shutdownTimeoutMs, logIntervalMs, sourceLogWarnBytes);
    }

    public CaptureOptions withReplicationFactor(int factor) {
        return new CaptureOptions(topology, kafka, shards, topicPartitions, factor, maxBatchSize,
                maxQueueSize, pollIntervalMs, snapshotFetchSize, offsetFlushIntervalMs, heartbeatIntervalMs,
                restartAttempts, restartBackoffMaxMs, shutdownTimeoutMs, logIntervalMs, sourceLogWarnBytes);
    }

    public CaptureOptions withShards(List<String> ids) {
        return new CaptureOptions(topology, kafka, ids, topicPartitions, replicationFactor, maxBatchSize,
                maxQueueSize, pollIntervalMs, snapshotFetchSize, offsetFlushIntervalMs, heartbeatIntervalMs,
                restartAttempts, restartBackoffMaxMs, shutdownTimeoutMs, logIntervalMs, sourceLogWarnBytes);
    }

    /** The same options with other restart settings: restarts in a row, and the longest wait before one. */
    public CaptureOptions withRestarts(int attempts, long backoffMaxMs) {
        return new CaptureOptions(topology, kafka, shards, topicPartitions, replicationFactor, maxBatchSize,
                maxQueueSize, pollIntervalMs, snapshotFetchSize, offsetFlushIntervalMs, heartbeatIntervalMs, attempts,
                backoffMaxMs, shutdownTimeoutMs, logIntervalMs, sourceLogWarnBytes);
    }

    /** The same options with another report interval and held-back source log warning threshold. */
    public CaptureOptions withReports(long intervalMs, long warnBytes) {
        return new CaptureOptions(topology, kafka, shards, topicPartitions, replicationFactor, maxBatchSize,
                maxQueueSize, pollIntervalMs, snapshotFetchSize, offsetFlushIntervalMs, heartbeatIntervalMs,
                restartAttempts, restartBackoffMaxMs, shutdownTimeoutMs, intervalMs, warnBytes);
    }
}
