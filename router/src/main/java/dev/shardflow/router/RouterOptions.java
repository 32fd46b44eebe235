package dev.shardflow.router;

import dev.shardflow.core.contract.RouterBeat;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * What a router runs with.
 *
 * @param fallback the topology routed by until the topology topic holds a state for its keyspace; also names the
 *     keyspace and the topics
 * @param fenceWait how long a write to a moving key waits for a cutover fence before it fails, retryable
 * @param heartbeat how often the router tells the topology service it is alive
 * @param lease how long the router keeps routing without reaching Kafka; after that it refuses every write, since
 *     the service stops waiting for it after its router timeout, which must be longer; at most
 *     {@link RouterBeat#MAX_LEASE}
 */
record RouterOptions(Topology fallback, KafkaConnection kafka, String routerId, Duration fenceWait,
        Duration heartbeat, Duration lease, int poolSize, Duration connectionTimeout) {

    public RouterOptions {
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(routerId, "routerId");
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("heartbeat (" + heartbeat + ") must be shorter than lease (" + lease + ")");
        }
        if (lease.compareTo(RouterBeat.MAX_LEASE) > 0) {
            throw new IllegalArgumentException("lease (" + lease + ") must not be longer than " + RouterBeat.MAX_LEASE
                    + ", or the topology service could stop waiting for a router that still writes");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
    }

    static RouterOptions defaults(Topology fallback, KafkaConnection kafka) {
        return new RouterOptions(fallback, kafka, "router-" + UUID.randomUUID().toString().substring(0, 8),
                Duration.ofSeconds(5), Duration.ofMillis(500), RouterBeat.MAX_LEASE, 8, Duration.ofSeconds(10));
    }

    RouterOptions withRouterId(String id) {
        return new RouterOptions(fallback, kafka, id, fenceWait, heartbeat, lease, poolSize,
                connectionTimeout);
    }

    RouterOptions withFenceWait(Duration wait) {
        return new RouterOptions(fallback, kafka, routerId, wait, heartbeat, lease, poolSize,
                connectionTimeout);
    }

    RouterOptions withPoolSize(int size) {
        return new RouterOptions(fallback, kafka, routerId, fenceWait, heartbeat, lease, size,
                connectionTimeout);
    }
}
