package dev.shardflow.rebalancer.kafka;

import dev.shardflow.core.topology.CopyStart;
import dev.shardflow.core.topology.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where each copy started: per rebalance, the end offsets of the change topics when its move first started, kept in
 * the compacted topic {@code <prefix>.rebalancer.copy-starts}, so that progress is measured against the same end
 * after any restart.
 */
public final class CopyStarts {
    private final String bootstrapServers;
    private final String topic;

    public CopyStarts(String bootstrapServers, TopicNames names) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic(names);
    }

    public static String topic(TopicNames names) {
        return CopyStart.topic(names);
    }

    /** The end offsets recorded for a rebalance, if its copy started before. */
    public Optional<Map<TopicPartition, Long>> recorded(String rebalanceId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        byte[] found = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = consumer.endOffsets(partitions).get(partitions.get(0));
            while (consumer.position(partitions.get(0)) < end) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && rebalanceId.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        found = record.value();
                    }
                }
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        try {
            Map<TopicPartition, Long> ends = new HashMap<>();
            CopyStart.fromBytes(found).endOffsets().forEach((partition, offset) -> ends.put(
                    new TopicPartition(CopyStart.topicOf(partition), CopyStart.partitionOf(partition)), offset));
            return Optional.of(ends);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(topic + " holds a record for " + rebalanceId + " that is not a copy start",
                    e);
        }
    }

    /** Records where a rebalance's copy started; waits until Kafka has it. */
    public void record(String rebalanceId, Map<TopicPartition, Long> ends)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Long> stored = new HashMap<>();
        ends.forEach((partition, offset) -> stored.put(partition.topic() + "-" + partition.partition(), offset));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, rebalanceId.getBytes(StandardCharsets.UTF_8),
                    new CopyStart(stored).toBytes())).get(30, TimeUnit.SECONDS);
        }
    }
}
