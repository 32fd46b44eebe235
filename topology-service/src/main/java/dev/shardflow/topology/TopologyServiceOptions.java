package dev.shardflow.topology;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.SettingsReader;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.contract.RouterBeat;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.topology.verify.VerifySettings;
import dev.shardflow.topology.workflow.WorkflowSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What a topology-service instance runs with.
 *
 * @param topologyDocument the topology file's text, published when the registry holds no state for its keyspace
 * @param instanceId names this instance in logs and in the election
 * @param leaderSessionTimeout how long after a leader stops answering a standby takes over
 */
public record TopologyServiceOptions(String topologyDocument, Topology topology, KafkaConnection kafka,
        String instanceId, Duration leaderSessionTimeout, short replicationFactor, WorkflowSettings workflow) {

    public TopologyServiceOptions {
        Objects.requireNonNull(topologyDocument, "topologyDocument");
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(workflow, "workflow");
    }

    public static TopologyServiceOptions defaults(String topologyDocument, String bootstrapServers) {
        return defaults(topologyDocument, KafkaConnection.plain(bootstrapServers));
    }

    public static TopologyServiceOptions defaults(String topologyDocument, KafkaConnection kafka) {
        Topology topology = TopologyLoader.parse(topologyDocument, "topology", Map.of());
        return new TopologyServiceOptions(topologyDocument, topology, kafka,
                "topology-" + UUID.randomUUID().toString().substring(0, 8), Duration.ofSeconds(6), (short) 3,
                WorkflowSettings.defaults(topology.keyspace()));
    }

    /** Reads a topology-service YAML file; the topology path in it is relative to the file. */
    public static TopologyServiceOptions load(Path file, Map<String, String> environment) {
        SettingsReader settings = SettingsReader.of(file, environment).read(TopologySettings.ALL);
        Path topologyFile = file.toAbsolutePath().getParent().resolve(settings.get(TopologySettings.TOPOLOGY));
        String document;
        try {
            document = Files.readString(topologyFile);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("topology: cannot read " + topologyFile + ": "
                    + e.getMessage()));
        }
        Topology topology = TopologyLoader.load(topologyFile, environment);
        String instanceId = settings.get(TopologySettings.INSTANCE_ID).equals("default")
                ? "topology-" + hostName() + "-" + ProcessHandle.current().pid() : settings.get(TopologySettings.INSTANCE_ID);
        String rebalancerId = settings.get(TopologySettings.REBALANCER_APPLICATION_ID).equals("default")
                ? ConsumerGroups.rebalancer(topology.keyspace())
                : settings.get(TopologySettings.REBALANCER_APPLICATION_ID);
        if (settings.get(TopologySettings.ROUTER_TIMEOUT_MS) <= RouterBeat.MAX_LEASE.toMillis()) {
            throw new ConfigException(file.toString(), List.of("routers.timeoutMs: must be longer than the routers' "
                    + "longest lease (" + RouterBeat.MAX_LEASE.toMillis() + " ms), or a cut-off router could still "
                    + "write when the service stops waiting for it"));
        }
        WorkflowSettings workflow = new WorkflowSettings(Duration.ofMillis(settings.get(TopologySettings.FENCE_TIMEOUT_MS)),
                Duration.ofMillis(settings.get(TopologySettings.ROUTER_TIMEOUT_MS)),
                settings.get(TopologySettings.FENCE_MAX_LAG), settings.get(TopologySettings.CLEANUP_BATCH_ROWS),
                settings.get(TopologySettings.CLEANUP_ROWS_PER_SECOND), rebalancerId, new VerifySettings(
                        settings.get(TopologySettings.VERIFY_CHUNK_ROWS),
                        settings.get(TopologySettings.VERIFY_ROWS_PER_SECOND),
                        settings.get(TopologySettings.VERIFY_MAX_RECHECKS),
                        Duration.ofMillis(settings.get(TopologySettings.VERIFY_WATERMARK_TIMEOUT_MS)),
                        VerifySettings.defaults().pendingChunks()),
                Duration.ofMillis(settings.get(TopologySettings.TRANSACTION_RECOVERY_AGE_MS)));
        KafkaConnection kafka = KafkaConnection.of(settings.get(TopologySettings.BOOTSTRAP_SERVERS),
                settings.get(KafkaConnection.PROPERTIES), environment::get);
        return new TopologyServiceOptions(document, topology, kafka,
                instanceId, Duration.ofMillis(settings.get(TopologySettings.LEADER_SESSION_TIMEOUT_MS)),
                settings.get(TopologySettings.REPLICATION_FACTOR).shortValue(), workflow);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "host";
        }
    }

    public TopologyServiceOptions withReplicationFactor(int replicas) {
        return new TopologyServiceOptions(topologyDocument, topology, kafka, instanceId,
                leaderSessionTimeout, (short) replicas, workflow);
    }

    public TopologyServiceOptions withInstanceId(String id) {
        return new TopologyServiceOptions(topologyDocument, topology, kafka, id, leaderSessionTimeout,
                replicationFactor, workflow);
    }

    public TopologyServiceOptions withWorkflow(WorkflowSettings settings) {
        return new TopologyServiceOptions(topologyDocument, topology, kafka, instanceId,
                leaderSessionTimeout, replicationFactor, settings);
    }
}
