package dev.shardflow.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reading topics up to the end they have now — the registry's state, the routers' beats, the copy starts — the one
 * way every module does it. Only committed records are read (the topology service writes in transactions), and no
 * consumer group is joined: these reads are about what a topic holds, not about sharing its partitions.
 */
public final class TopicCatchUp {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicCatchUp() {}

    /** Every partition of {@code topics}. */
    public static List<TopicPartition> partitions(Consumer<?, ?> consumer, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        return partitions;
    }

    /**
     * Hands {@code each} every record from the consumer's positions to the end offsets the partitions have now; the
     * partitions must be assigned.
     */
    public static <K, V> void readToEnd(Consumer<K, V> consumer, Collection<TopicPartition> partitions,
            java.util.function.Consumer<ConsumerRecord<K, V>> each) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            consumer.poll(POLL).forEach(each);
        }
    }

    /** Reads {@code topics} from their beginning to the end they have now, with a consumer of its own. */
    public static void readAll(KafkaConnection kafka, List<String> topics,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(reader(kafka))) {
            List<TopicPartition> partitions = partitions(consumer, topics);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            readToEnd(consumer, partitions, each);
        }
    }

    /** The settings of a consumer that reads topics without a group, committed records only, as bytes. */
    public static Properties reader(KafkaConnection kafka) {
        return kafka.client(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }
}
