package dev.shardflow.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How many records a consumer group has yet to read, now: the end offsets less the group's committed ones, and,
 * where a partition is only a little behind, the records really there — what the topology service reports as a
 * move's and the writers' lag, and what the rebalancer's lag throttle holds a move for.
 */
public final class GroupLag {
    /** Below this many offsets a partition's lag is counted record by record. */
    private static final long EXACT_BELOW = 200;

    private final KafkaConnection kafka;
    private final Admin admin;
    private final Duration timeout;

    /** @param timeout the bound of each call to Kafka */
    public GroupLag(KafkaConnection kafka, Admin admin, Duration timeout) {
        this.kafka = kafka;
        this.admin = admin;
        this.timeout = timeout;
    }

    /** The offsets {@code group} has committed, by partition. */
    public Map<TopicPartition, OffsetAndMetadata> committed(String group)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The records of every partition of {@code topic} that {@code group} has yet to read. */
    public long behind(String group, String topic) throws Exception {
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        return behind(group, partitions);
    }

    /** The records of {@code partitions} that {@code group} has yet to read. */
    public long behind(String group, Collection<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = committed(group);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long lag = 0;
        Map<TopicPartition, long[]> small = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata at = committed.get(partition);
            long from = at == null ? 0 : at.offset();
            long behind = Math.max(0, ends.get(partition).offset() - from);
            if (behind > 0 && behind <= EXACT_BELOW) {
                small.put(partition, new long[] {from, ends.get(partition).offset()});
            } else {
                lag += behind;
            }
        }
        return lag + recordsBetween(small);
    }

    /**
     * The records really there between a committed offset and the end: transactional producers (the rebalancer's)
     * leave commit markers that take an offset each and that no consumer ever commits past, so offsets alone would
     * show a lag that never drains.
     */
    private long recordsBetween(Map<TopicPartition, long[]> ranges) {
        if (ranges.isEmpty()) {
            return 0;
        }
        Properties p = kafka.client(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(ranges.keySet());
            ranges.forEach((partition, range) -> consumer.seek(partition, range[0]));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ranges.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()[1])
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.offset() < ranges.get(new TopicPartition(record.topic(), record.partition()))[1]) {
                        records++;
                    }
                }
            }
        }
        return records;
    }
}
