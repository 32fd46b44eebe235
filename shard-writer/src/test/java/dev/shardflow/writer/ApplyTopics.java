package dev.shardflow.writer;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.TopicEnds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the writer tests do with Kafka: create and fill apply topics, see whether a writer group has caught up, read the DLQ. */
final class ApplyTopics implements AutoCloseable {
    private final KafkaCluster kafka;
    private final String bootstrapServers;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private final java.util.concurrent.atomic.AtomicReference<Exception> sendFailure =
            new java.util.concurrent.atomic.AtomicReference<>();

    ApplyTopics(KafkaCluster kafka) {
        this.kafka = kafka;
        this.bootstrapServers = kafka.bootstrapServers();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /** Creates a topic (see {@link KafkaCluster#createTopic}) and primes the producer's view of it. */
    void create(String topic, int partitions) {
        kafka.createTopic(topic, partitions, 1, Map.of());
        producer.partitionsFor(topic);
    }

    /** Sends every event keyed by table and primary key, and waits until Kafka acknowledged all of them. */
    void send(String topic, List<ChangeEvent> events) {
        for (ChangeEvent event : events) {
            producer.send(new ProducerRecord<>(topic, TableRowKey.of(event).toBytes(), EventJson.toBytes(event)),
                    this::failOnError);
        }
        flush();
    }

    void sendRaw(String topic, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value), this::failOnError);
        flush();
    }

    /** Sends one record with a timestamp and headers, as the rebalancer hands a fence marker copy on. */
    void sendWithHeaders(String topic, byte[] key, byte[] value, long timestampMs, Map<String, String> headers) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestampMs, key, value);
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        producer.send(record, this::failOnError);
        flush();
    }

    private void failOnError(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception error) {
        if (error != null) {
            sendFailure.compareAndSet(null, error);
        }
    }

    private void flush() {
        producer.flush();
        if (sendFailure.get() != null) {
            throw new IllegalStateException("Kafka refused a test record", sendFailure.get());
        }
    }

    /** True once the group's committed offsets reach the end of every partition of {@code topic}. */
    boolean caughtUp(String group, String topic) throws ExecutionException, InterruptedException {
        Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        return partitions.stream().allMatch(p -> ends.get(p).offset() == 0
                || committed.get(p) != null && committed.get(p).offset() >= ends.get(p).offset());
    }

    /** The sum of the group's committed offsets over the partitions of {@code topic}. */
    long committed(String group, String topic) throws InterruptedException {
        return TopicEnds.committed(admin, group, topic);
    }

    /** Every record of a topic from the beginning, read until its current end. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
