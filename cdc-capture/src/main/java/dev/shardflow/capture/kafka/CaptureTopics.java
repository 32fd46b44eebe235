package dev.shardflow.capture.kafka;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.MessageSizes;
import dev.shardflow.kafka.MissingTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics capture writes, where they are missing: one compacted change topic per table, the compacted
 * offsets and status topics, and a never-expiring schema-history topic per binlog shard. Existing topics are left as
 * they are, but for {@code max.message.bytes} of the change and dead-letter topics, raised to the keyspace's largest
 * change where it is lower.
 */
public final class CaptureTopics {
    private static final Logger log = LoggerFactory.getLogger(CaptureTopics.class);

    private CaptureTopics() {}

    public static void ensure(CaptureOptions options) {
        TopicNames names = TopicNames.of(options.topology());
        try (Admin admin = options.kafka().admin(Map.of())) {
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            short replication = (short) Math.min(options.replicationFactor(), brokers);
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            int maxMessageBytes = options.topology().maxMessageBytes();
            Map.Entry<String, String> size = MessageSizes.topicConfig(maxMessageBytes);
            List<String> sized = new ArrayList<>();
            for (TableSpec table : options.topology().tables()) {
                add(missing, existing, new NewTopic(names.cdc(table.name()), options.topicPartitions(), replication)
                        .configs(Map.of("cleanup.policy", "compact", "min.insync.replicas",
                                Integer.toString(Math.min(2, replication)), size.getKey(), size.getValue())));
                sized.add(names.cdc(table.name()));
            }
            add(missing, existing, new NewTopic(names.dlq(), options.topicPartitions(), replication)
                    .configs(Map.of("cleanup.policy", "delete", size.getKey(), size.getValue())));
            sized.add(names.dlq());
            MessageSizes.raise(admin, sized.stream().filter(existing::contains).toList(), maxMessageBytes);
            add(missing, existing, new NewTopic(names.captureOffsets(), 1, replication)
                    .configs(Map.of("cleanup.policy", "compact")));
            add(missing, existing, new NewTopic(names.captureStatus(), 1, replication)
                    .configs(Map.of("cleanup.policy", "compact")));
            for (String shard : options.shards()) {
                if (options.topology().shard(shard).orElseThrow().engine() != Engine.POSTGRESQL) {
                    add(missing, existing, new NewTopic(names.captureSchemaHistory(shard), 1, replication)
                            .configs(Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                                    "retention.bytes", "-1")));
                }
            }
            List<String> created = MissingTopics.create(admin, missing, java.time.Duration.ofSeconds(60));
            if (!created.isEmpty()) {
                log.info("created topics {}", created);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the capture topics on " + options.kafka() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the capture topics", e);
        }
    }

    private static void add(List<NewTopic> missing, Set<String> existing, NewTopic topic) {
        if (!existing.contains(topic.name())) {
            missing.add(topic);
        }
    }
}
