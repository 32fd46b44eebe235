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
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Whether a Kafka cluster answers now: one cluster description, bounded by a timeout, on a client kept for the
 * purpose — what a process's readiness asks of the cluster it reads and writes.
 */
public final class ClusterCheck implements AutoCloseable {
    private final Admin admin;
    private final KafkaConnection kafka;
    private final Duration timeout;

    private ClusterCheck(Admin admin, KafkaConnection kafka, Duration timeout) {
        this.admin = admin;
        this.kafka = kafka;
        this.timeout = timeout;
    }

    public static ClusterCheck of(KafkaConnection kafka, Duration timeout) {
        int millis = (int) timeout.toMillis();
        return new ClusterCheck(kafka.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "shardflow-health",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000)), kafka, timeout);
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
            throw new IllegalStateException(explain(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + kafka + " did not answer within " + timeout.toMillis()
                    + " ms", e);
        }
        if (nodes.isEmpty()) {
            throw new IllegalStateException("the cluster reports no live broker");
        }
    }

    /** Why the cluster did not answer, with what to look at; Kafka's own messages carry no secret. */
    private String explain(Throwable cause) {
        if (cause instanceof SaslAuthenticationException) {
            return "Kafka at " + kafka + " refused this process's credentials: " + cause.getMessage()
                    + "; check the user and password in kafka.properties (sasl.jaas.config)";
        }
        if (cause instanceof SslAuthenticationException) {
            return "TLS with Kafka at " + kafka + " failed: " + cause.getMessage()
                    + "; check ssl.truststore.* in kafka.properties and the brokers' certificates";
        }
        if (cause instanceof AuthenticationException) {
            return "Kafka at " + kafka + " did not authenticate this process: " + cause.getMessage()
                    + "; check security.protocol and sasl.* in kafka.properties";
        }
        return "Kafka at " + kafka + " did not answer: " + cause.getMessage();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
