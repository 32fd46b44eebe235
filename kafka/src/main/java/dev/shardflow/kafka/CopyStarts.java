package dev.shardflow.kafka;

import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.CopyStart;
import dev.shardflow.core.topology.TopicNames;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where each copy started: per rebalance, the end offsets of the change topics when its move first started, kept in
 * the compacted topic {@code <prefix>.rebalancer.copy-starts}, so that progress is measured against the same end
 * after any restart.
 */
public final class CopyStarts {
    private final KafkaConnection kafka;
    private final String topic;

    public CopyStarts(KafkaConnection kafka, TopicNames names) {
        this.kafka = kafka;
        this.topic = topic(names);
    }

    public static String topic(TopicNames names) {
        return CopyStart.topic(names);
    }

    /** The end offsets recorded for a rebalance, if its copy started before. */
    public Optional<Map<TopicPartition, Long>> recorded(String rebalanceId) {
        return start(rebalanceId).map(start -> {
            Map<TopicPartition, Long> ends = new HashMap<>();
            start.endOffsets().forEach((partition, offset) -> ends.put(
                    new TopicPartition(CopyStart.topicOf(partition), CopyStart.partitionOf(partition)), offset));
            return ends;
        });
    }

    /** How far the copy of {@code rebalanceId} is, given its move's committed offsets; empty before it started. */
    public Optional<CopyProgress> progress(String rebalanceId, Map<TopicPartition, OffsetAndMetadata> committed) {
        return start(rebalanceId).map(start -> progress(start, committed));
    }

    /** How far a copy that started at {@code start} is, given its move's committed offsets. */
    public static CopyProgress progress(CopyStart start, Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<String, Long> byName = new HashMap<>();
        committed.forEach((tp, at) -> {
            if (at != null) {
                byName.put(name(tp), at.offset());
            }
        });
        return CopyProgress.of(start, byName);
    }

    /** The copy start of these end offsets. */
    public static CopyStart startOf(Map<TopicPartition, Long> ends) {
        Map<String, Long> stored = new HashMap<>();
        ends.forEach((partition, offset) -> stored.put(name(partition), offset));
        return new CopyStart(stored);
    }

    private static String name(TopicPartition partition) {
        return partition.topic() + "-" + partition.partition();
    }

    /** Where the copy of {@code rebalanceId} started, if it did. */
    public Optional<CopyStart> start(String rebalanceId) {
        byte[][] last = new byte[1][];
        TopicCatchUp.readAll(kafka, List.of(topic), record -> {
            if (record.key() != null && rebalanceId.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                last[0] = record.value();
            }
        });
        byte[] found = last[0];
        if (found == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CopyStart.fromBytes(found));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(topic + " holds a record for " + rebalanceId + " that is not a copy start",
                    e);
        }
    }

    /** Records where a rebalance's copy started; waits until Kafka has it. */
    public void record(String rebalanceId, Map<TopicPartition, Long> ends)
            throws InterruptedException, ExecutionException, TimeoutException {
        Properties p = kafka.client(Map.of());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, rebalanceId.getBytes(StandardCharsets.UTF_8),
                    startOf(ends).toBytes())).get(30, TimeUnit.SECONDS);
        }
    }
}
