package dev.shardflow.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Whether a Kafka cluster answers now: one cluster description, bounded by a timeout, on a client kept for the
 * purpose — what a process's readiness asks of the cluster it reads and writes.
 */
public final class ClusterCheck implements AutoCloseable {
    private final Admin admin;
    private final Duration timeout;

    private ClusterCheck(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    public static ClusterCheck of(String bootstrapServers, Duration timeout) {
        int millis = (int) timeout.toMillis();
        return new ClusterCheck(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "shardflow-health",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000)), timeout);
    }

    /**
     * Returns when the cluster described itself within the timeout.
     *
     * @throws Exception saying why it did not (no broker answered, or none is alive)
     */
    public void check() throws Exception {
        Collection<Node> nodes;
        try {
            nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes()
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not answer: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeout.toMillis() + " ms", e);
        }
        if (nodes.isEmpty()) {
            throw new IllegalStateException("the cluster reports no live broker");
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
