package dev.shardflow.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics large enough for the keyspace's biggest change ({@code Topology.maxMessageBytes}): the topic setting a
 * creator gives a new topic, and a raise of {@code max.message.bytes} on topics created before with less (a
 * keyspace whose {@code maxRowBytes} grew, or a topic of an older version). Never lowered.
 */
public final class MessageSizes {
    private static final Logger log = LoggerFactory.getLogger(MessageSizes.class);

    private MessageSizes() {}

    /**
     * The producer settings that let a record of up to {@code maxRequestBytes} through ({@code max.request.size}),
     * with room in the producer's buffer for it ({@code buffer.memory}: twice that, and never less than Kafka's 32 MiB
     * default).
     */
    public static Map<String, String> producerConfig(int maxRequestBytes) {
        return Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes),
                ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(32L * 1024 * 1024,
                        2L * maxRequestBytes)));
    }

    /** The topic configuration entry a new topic of the keyspace is created with. */
    public static Map.Entry<String, String> topicConfig(int maxMessageBytes) {
        return Map.entry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes));
    }

    /**
     * Raises {@code max.message.bytes} to {@code maxMessageBytes} on each of {@code topics} (which exist) that allows
     * less, and logs which.
     */
    public static void raise(Admin admin, Collection<String> topics, int maxMessageBytes)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (topics.isEmpty()) {
            return;
        }
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> raises = new HashMap<>();
        List<String> raised = new ArrayList<>();
        configs.forEach((resource, config) -> {
            ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry == null || entry.value() == null || Long.parseLong(entry.value()) < maxMessageBytes) {
                raises.put(resource, List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(maxMessageBytes)), AlterConfigOp.OpType.SET)));
                raised.add(resource.name() + " (was " + (entry == null ? "unset" : entry.value()) + ")");
            }
        });
        if (!raises.isEmpty()) {
            admin.incrementalAlterConfigs(raises).all().get(30, TimeUnit.SECONDS);
            log.info("max.message.bytes raised to {} on {}", maxMessageBytes, raised);
        }
    }
}
