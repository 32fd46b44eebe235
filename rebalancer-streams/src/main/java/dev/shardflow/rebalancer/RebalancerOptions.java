package dev.shardflow.rebalancer;

import static dev.shardflow.rebalancer.RebalancerSettings.APPLICATION_ID;
import static dev.shardflow.rebalancer.RebalancerSettings.APPLY_PARTITIONS;
import static dev.shardflow.rebalancer.RebalancerSettings.BOOTSTRAP_SERVERS;
import static dev.shardflow.rebalancer.RebalancerSettings.MAX_APPLY_LAG_RECORDS;
import static dev.shardflow.rebalancer.RebalancerSettings.MAX_CAPTURE_LAG_MS;
import static dev.shardflow.rebalancer.RebalancerSettings.BULK_COMMIT_INTERVAL_MS;
import static dev.shardflow.rebalancer.RebalancerSettings.COMMIT_INTERVAL_MS;
import static dev.shardflow.rebalancer.RebalancerSettings.PROCESSING_GUARANTEE;
import static dev.shardflow.rebalancer.RebalancerSettings.REPLICATION_FACTOR;
import static dev.shardflow.rebalancer.RebalancerSettings.STATE_DIR;
import static dev.shardflow.rebalancer.RebalancerSettings.THREADS;
import static dev.shardflow.rebalancer.RebalancerSettings.TOPOLOGY;
import static dev.shardflow.rebalancer.RebalancerSettings.VIEWS_COMMIT_INTERVAL_MS;

import dev.shardflow.core.config.SettingsReader;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/** What a rebalancer runs with: the fallback topology, the Kafka cluster, and the Streams tuning. */
public record RebalancerOptions(Topology topology, KafkaConnection kafka, String applicationId,
        String processingGuarantee, int applyPartitions, int replicationFactor, int threads, long commitIntervalMs,
        long bulkCommitIntervalMs, long viewsCommitIntervalMs, String stateDir, LagBounds lagBounds) {

    /**
     * Above either bound the move is held — it forwards nothing — until the lag is below it again: a source's
     * capture lag (ms) or a target writer's lag behind its apply topic (change records); 0 turns a bound off.
     */
    public record LagBounds(long maxCaptureLagMs, long maxApplyLagRecords) {
        public static final LagBounds OFF = new LagBounds(0, 0);

        public LagBounds {
            if (maxCaptureLagMs < 0 || maxApplyLagRecords < 0) {
                throw new IllegalArgumentException("lag bounds are 0 (off) or positive");
            }
        }

        public boolean off() {
            return maxCaptureLagMs == 0 && maxApplyLagRecords == 0;
        }
    }

    public RebalancerOptions {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(processingGuarantee, "processingGuarantee");
        Objects.requireNonNull(stateDir, "stateDir");
        lagBounds = lagBounds == null ? LagBounds.OFF : lagBounds;
    }

    public static RebalancerOptions defaults(Topology topology, String bootstrapServers) {
        return defaults(topology, KafkaConnection.plain(bootstrapServers));
    }

    public static RebalancerOptions defaults(Topology topology, KafkaConnection kafka) {
        return new RebalancerOptions(topology, kafka, defaultApplicationId(topology),
                PROCESSING_GUARANTEE.defaultValue(), APPLY_PARTITIONS.defaultValue(), REPLICATION_FACTOR.defaultValue(),
                THREADS.defaultValue(), COMMIT_INTERVAL_MS.defaultValue(), BULK_COMMIT_INTERVAL_MS.defaultValue(),
                VIEWS_COMMIT_INTERVAL_MS.defaultValue(), STATE_DIR.defaultValue(),
                new LagBounds(MAX_CAPTURE_LAG_MS.defaultValue(), MAX_APPLY_LAG_RECORDS.defaultValue()));
    }

    /** Reads a rebalancer YAML file; the topology path in it is relative to the file. */
    public static RebalancerOptions load(Path file, Map<String, String> environment) {
        SettingsReader settings = SettingsReader.of(file, environment).read(RebalancerSettings.ALL);
        Topology topology = TopologyLoader.load(file.toAbsolutePath().getParent().resolve(settings.get(TOPOLOGY)),
                environment);
        String applicationId = settings.get(APPLICATION_ID).equals("default") ? defaultApplicationId(topology)
                : settings.get(APPLICATION_ID);
        KafkaConnection kafka = KafkaConnection.of(settings.get(BOOTSTRAP_SERVERS),
                settings.get(KafkaConnection.PROPERTIES), environment::get);
        return new RebalancerOptions(topology, kafka, applicationId,
                settings.get(PROCESSING_GUARANTEE), settings.get(APPLY_PARTITIONS), settings.get(REPLICATION_FACTOR),
                settings.get(THREADS), settings.get(COMMIT_INTERVAL_MS), settings.get(BULK_COMMIT_INTERVAL_MS),
                settings.get(VIEWS_COMMIT_INTERVAL_MS), settings.get(STATE_DIR),
                new LagBounds(settings.get(MAX_CAPTURE_LAG_MS), settings.get(MAX_APPLY_LAG_RECORDS)));
    }

    public RebalancerOptions withReplicationFactor(int factor) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                factor, threads, commitIntervalMs, bulkCommitIntervalMs, viewsCommitIntervalMs,
                stateDir, lagBounds);
    }

    public RebalancerOptions withProcessingGuarantee(String guarantee) {
        return new RebalancerOptions(topology, kafka, applicationId, guarantee, applyPartitions,
                replicationFactor, threads, commitIntervalMs, bulkCommitIntervalMs, viewsCommitIntervalMs,
                stateDir, lagBounds);
    }

    public RebalancerOptions withThreads(int streamThreads) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                replicationFactor, streamThreads, commitIntervalMs, bulkCommitIntervalMs, viewsCommitIntervalMs,
                stateDir, lagBounds);
    }

    public RebalancerOptions withBulkCommitIntervalMs(long intervalMs) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                replicationFactor, threads, commitIntervalMs, intervalMs, viewsCommitIntervalMs,
                stateDir, lagBounds);
    }

    public RebalancerOptions withCommitIntervalMs(long intervalMs) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                replicationFactor, threads, intervalMs, bulkCommitIntervalMs, viewsCommitIntervalMs,
                stateDir, lagBounds);
    }

    public RebalancerOptions withViewsCommitIntervalMs(long intervalMs) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                replicationFactor, threads, commitIntervalMs, bulkCommitIntervalMs, intervalMs,
                stateDir, lagBounds);
    }

    public RebalancerOptions withStateDir(String dir) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                replicationFactor, threads, commitIntervalMs, bulkCommitIntervalMs, viewsCommitIntervalMs,
                dir, lagBounds);
    }

    /** The same options with other lag bounds for the move. */
    public RebalancerOptions withLagBounds(LagBounds bounds) {
        return new RebalancerOptions(topology, kafka, applicationId, processingGuarantee, applyPartitions,
                replicationFactor, threads, commitIntervalMs, bulkCommitIntervalMs, viewsCommitIntervalMs, stateDir,
                bounds);
    }

    private static String defaultApplicationId(Topology topology) {
        return ConsumerGroups.rebalancer(topology.keyspace());
    }
}
