package dev.shardflow.capture;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.SourceRowKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a change topic from the beginning, keeping each record's key, event (null for a tombstone) and order. */
final class ChangeTopicReader implements AutoCloseable {
    record Entry(String topic, SourceRowKey key, ChangeEvent event, int partition, long offset) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Entry> entries = new ArrayList<>();

    ChangeTopicReader(String bootstrapServers, List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(topics);
    }

    /** Polls once more and returns everything read so far, in partition order. */
    List<Entry> poll() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            entries.add(new Entry(record.topic(), SourceRowKey.fromBytes(record.key()),
                    record.value() == null ? null : EventJson.fromBytes(record.value()), record.partition(),
                    record.offset()));
        }
        return List.copyOf(entries);
    }

    /** How many partitions {@code topic} has. */
    int partitions(String topic) {
        return consumer.partitionsFor(topic).size();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
