package dev.shardflow.writer.dlq;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.MessageSizes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-drives dead letters through the normal path once an operator fixed their cause: each record goes back, key and
 * value unchanged, to the topic and partition it was read from ({@code source.topic}, {@code source.partition}), so
 * the component that refused it reads it again; one that fails again comes back to the dead-letter topic with its
 * new reason. The replay's consumer group remembers how far it got, so a record is re-driven once; letters whose
 * source is not a topic of the keyspace (a record capture could not convert) are left where they are and counted.
 */
public final class DeadLetterReplay {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

    /** What a replay did. */
    public record Result(long read, long replayed, long skipped, List<String> notReplayable) {
        public Result {
            notReplayable = List.copyOf(notReplayable);
        }
    }

    private final KafkaConnection kafka;
    private final String deadLetterTopic;
    private final String topicPrefix;
    private final String group;
    private final Duration timeout;
    private final int maxMessageBytes;

    /**
     * @param topicPrefix only letters from topics with this prefix (the keyspace's) are re-driven
     * @param group the consumer group that remembers what was re-driven
     */
    public DeadLetterReplay(KafkaConnection kafka, String deadLetterTopic, String topicPrefix, String group) {
        this(kafka, deadLetterTopic, topicPrefix, group, Duration.ofSeconds(30));
    }

    /** @param timeout how long to wait for Kafka before giving up (a Kafka {@code TimeoutException}) */
    public DeadLetterReplay(KafkaConnection kafka, String deadLetterTopic, String topicPrefix, String group,
            Duration timeout) {
        this(kafka, deadLetterTopic, topicPrefix, group, timeout,
                Topology.maxMessageBytes(Topology.DEFAULT_MAX_ROW_BYTES));
    }

    /** @param maxMessageBytes the keyspace's largest change ({@code Topology.maxMessageBytes}), re-driven whole */
    public DeadLetterReplay(KafkaConnection kafka, String deadLetterTopic, String topicPrefix, String group,
            Duration timeout, int maxMessageBytes) {
        this.timeout = timeout;
        this.maxMessageBytes = maxMessageBytes;
        this.kafka = kafka;
        this.deadLetterTopic = deadLetterTopic;
        this.topicPrefix = topicPrefix;
        this.group = group;
    }

    /** Lists the letters from the group's position (or the beginning) to the end, without moving the group. */
    public List<DeadLetter> list(int max) {
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> ends = assign(consumer);
            readUpTo(consumer, ends, record -> {
                if (letters.size() < max) {
                    letters.add(DeadLetter.of(record));
                }
                return letters.size() < max;
            });
        }
        return letters;
    }

    /** Re-drives the letters that pass {@code filter}, from the group's position to the end taken now. */
    public Result replay(Predicate<DeadLetter> filter) throws InterruptedException {
        long[] counts = new long[3];
        List<String> notReplayable = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); KafkaProducer<byte[], byte[]> producer = producer()) {
            Map<TopicPartition, Long> ends = assign(consumer);
            Map<String, Integer> partitions = new HashMap<>();
            readUpTo(consumer, ends, record -> {
                counts[0]++;
                DeadLetter letter = DeadLetter.of(record);
                String why = replayable(letter, consumer, partitions);
                if (why != null || !filter.test(letter)) {
                    counts[2]++;
                    if (why != null && notReplayable.size() < 20) {
                        notReplayable.add(letter.partition() + "@" + letter.offset() + ": " + why);
                    }
                    return true;
                }
                ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(letter.sourceTopic(),
                        letter.sourcePartition() != null && letter.sourcePartition() < partitions.get(letter.sourceTopic())
                                ? letter.sourcePartition() : null, letter.key(), letter.value());
                again.headers().add("shardflow.replayed-from", (deadLetterTopic + ":" + letter.partition() + "@"
                        + letter.offset()).getBytes(StandardCharsets.UTF_8));
                if (letter.reason() != null) {
                    again.headers().add("shardflow.replayed-reason", letter.reason().getBytes(StandardCharsets.UTF_8));
                }
                sent.add(producer.send(again));
                counts[1]++;
                return true;
            });
            producer.flush();
            for (Future<RecordMetadata> send : sent) {
                try {
                    send.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a dead letter could not be sent back to its topic ("
                            + e.getCause().getMessage() + "); nothing was committed, so run the replay again", e);
                }
            }
            Map<TopicPartition, OffsetAndMetadata> done = new LinkedHashMap<>();
            ends.forEach((tp, end) -> done.put(tp, new OffsetAndMetadata(end)));
            consumer.commitSync(done);
        }
        log.info("dead-letter replay of {}: {} letters read, {} re-driven, {} left{}", deadLetterTopic, counts[0],
                counts[1], counts[2], notReplayable.isEmpty() ? "" : "; not replayable: " + notReplayable);
        return new Result(counts[0], counts[1], counts[2], notReplayable);
    }

    /** Why a letter cannot go back to its topic, or null if it can. */
    private String replayable(DeadLetter letter, KafkaConsumer<byte[], byte[]> consumer,
            Map<String, Integer> partitions) {
        if (letter.sourceTopic() == null) {
            return "it names no source topic";
        }
        if (!letter.sourceTopic().startsWith(topicPrefix + ".")) {
            return "its source " + letter.sourceTopic() + " is not a topic of " + topicPrefix
                    + " (a record capture could not convert is fixed at the source and captured again)";
        }
        if ("rebalancer poison watch".equals(letter.component())) {
            return "it is poison: re-driving it would write it to " + letter.sourceTopic() + " again; remove its "
                    + "cause (shard-writer README, \"Poison records\")";
        }
        if (letter.headers().containsKey("row.bytes")) {
            return "its row (" + letter.headers().get("row.bytes") + " bytes) is larger than maxRowBytes and was "
                    + "never captured: raise maxRowBytes in the topology file, restart capture, the rebalancer and the "
                    + "writers, and update the row at its source";
        }
        if (letter.value() == null) {
            return "it has no value";
        }
        if (!partitions.containsKey(letter.sourceTopic())) {
            List<PartitionInfo> infos = consumer.partitionsFor(letter.sourceTopic(), timeout);
            partitions.put(letter.sourceTopic(), infos == null ? 0 : infos.size());
        }
        return partitions.get(letter.sourceTopic()) == 0 ? "its source topic " + letter.sourceTopic()
                + " no longer exists" : null;
    }

    private Map<TopicPartition, Long> assign(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(deadLetterTopic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("the dead-letter topic " + deadLetterTopic + " does not exist");
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(deadLetterTopic, i.partition()))
                .toList();
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions),
                timeout);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata at = committed.get(tp);
            if (at == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, at.offset());
            }
        }
        return consumer.endOffsets(partitions, timeout);
    }

    private static void readUpTo(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends,
            Predicate<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Long> open = new HashMap<>();
        ends.forEach((tp, end) -> {
            if (consumer.position(tp) < end) {
                open.put(tp, end);
            }
        });
        while (!open.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < ends.get(tp) && !each.test(record)) {
                    return;
                }
            }
            open.keySet().removeIf(tp -> consumer.position(tp) >= open.get(tp));
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = kafka.client(Map.of());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = kafka.client(Map.of());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.putAll(MessageSizes.producerConfig(maxMessageBytes));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
