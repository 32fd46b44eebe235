package dev.shardflow.rebalancer.kafka;

import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.TopicNames;
import java.io.IOException;
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
        return names.prefix() + ".rebalancer.copy-starts";
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
            Map<String, Long> stored = EventJson.mapper().readValue(found,
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Long>>() {});
            Map<TopicPartition, Long> ends = new HashMap<>();
            stored.forEach((partition, offset) -> {
                int dash = partition.lastIndexOf('-');
                ends.put(new TopicPartition(partition.substring(0, dash), Integer.parseInt(partition.substring(dash + 1))),
                        offset);
            });
            return Optional.of(ends);
        } catch (IOException e) {
            throw new IllegalStateException(topic + " holds a record for " + rebalanceId + " that is not JSON", e);
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
                    EventJson.mapper().writeValueAsBytes(stored))).get(30, TimeUnit.SECONDS);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the copy start of " + rebalanceId, e);
        }
    }
}
