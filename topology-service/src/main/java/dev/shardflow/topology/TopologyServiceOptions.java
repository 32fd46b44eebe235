package dev.shardflow.topology;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.workflow.WorkflowSettings;
import java.time.Duration;
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
public record TopologyServiceOptions(String topologyDocument, Topology topology, String bootstrapServers,
        String instanceId, Duration leaderSessionTimeout, short replicationFactor, WorkflowSettings workflow) {

    public TopologyServiceOptions {
        Objects.requireNonNull(topologyDocument, "topologyDocument");
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(workflow, "workflow");
    }

    public static TopologyServiceOptions defaults(String topologyDocument, String bootstrapServers) {
        Topology topology = TopologyLoader.parse(topologyDocument, "topology", Map.of());
        return new TopologyServiceOptions(topologyDocument, topology, bootstrapServers,
                "topology-" + UUID.randomUUID().toString().substring(0, 8), Duration.ofSeconds(6), (short) 3,
                WorkflowSettings.defaults(topology.keyspace()));
    }

    public TopologyServiceOptions withReplicationFactor(int replicas) {
        return new TopologyServiceOptions(topologyDocument, topology, bootstrapServers, instanceId,
                leaderSessionTimeout, (short) replicas, workflow);
    }

    public TopologyServiceOptions withInstanceId(String id) {
        return new TopologyServiceOptions(topologyDocument, topology, bootstrapServers, id, leaderSessionTimeout,
                replicationFactor, workflow);
    }

    public TopologyServiceOptions withWorkflow(WorkflowSettings settings) {
        return new TopologyServiceOptions(topologyDocument, topology, bootstrapServers, instanceId,
                leaderSessionTimeout, replicationFactor, settings);
    }
}
