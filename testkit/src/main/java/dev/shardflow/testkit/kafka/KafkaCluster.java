package dev.shardflow.testkit.kafka;

import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;

/**
 * A real Kafka cluster for tests and benchmarks: an in-JVM KRaft cluster by default, or a Testcontainers broker
 * where a Docker engine runs (see {@link KafkaClusters}). Closing it removes its log directories.
 */
public interface KafkaCluster extends AutoCloseable {

    String bootstrapServers();

    int brokerCount();

    /** How shardflow's clients reach this cluster: its address, and its security settings when it has any. */
    default KafkaConnection connection() {
        return KafkaConnection.plain(bootstrapServers());
    }

    /** Client settings that reach this cluster, for a test's own clients. */
    default Properties clientProperties() {
        return connection().client(Map.of());
    }

    /** Creates a topic and returns once every partition has a leader. */
    default void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
                    .all().get(60, TimeUnit.SECONDS);
            Awaitility.await("leaders for every partition of " + name)
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptionsInstanceOf(ExecutionException.class) // unknown until every broker knows it
                    .until(() -> admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()
                            .stream().allMatch(partition -> partition.leader() != null
                                    && !partition.leader().isEmpty()));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    default void createTopic(String name, int partitions) {
        createTopic(name, partitions, Math.min(3, brokerCount()), Map.of());
    }

    @Override
    void close();
}
