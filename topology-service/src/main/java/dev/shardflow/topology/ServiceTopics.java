package dev.shardflow.topology;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.MissingTopics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics the topology service owns, created when missing: the compacted registry (topology and rebalances), the
 * leader election's topic, and the routers' beats, kept a day.
 */
final class ServiceTopics {
    private static final Logger log = LoggerFactory.getLogger(ServiceTopics.class);

    private ServiceTopics() {}

    static void ensure(Admin admin, TopicNames topics, short replicas, KafkaConnection kafka) {
        Map<String, String> compact = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        List<NewTopic> wanted = List.of(new NewTopic(topics.topology(), 1, replicas).configs(compact),
                new NewTopic(topics.rebalances(), 1, replicas).configs(compact),
                new NewTopic(topics.topologyLeader(), 1, replicas),
                new NewTopic(topics.routers(), 1, replicas).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(TimeUnit.DAYS.toMillis(1)))));
        try {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            List<String> created = MissingTopics.create(admin, missing, java.time.Duration.ofSeconds(60));
            if (!created.isEmpty()) {
                log.info("created topics {}", created);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare the topology service's topics on " + kafka
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
