package dev.shardflow.topology.registry;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.TopicCatchUp;
import dev.shardflow.topology.workflow.Rebalance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The registry's durable record: the compacted topology topic (per keyspace its {@link TopologyState}, which every
 * component follows) and the compacted rebalances topic (per rebalance its {@link Rebalance}). A step of the workflow
 * writes both in one Kafka transaction, so what the fleet sees and what the workflow remembers never disagree.
 *
 * <p>Only one writer may commit: the transactional id is the keyspace's, so a writer that opens this log fences
 * every earlier one — a paused or partitioned former leader's next commit fails with {@link NotLeaderException}
 * instead of landing.
 */
public final class RegistryLog implements AutoCloseable {
    private final KafkaConnection kafka;
    private final String keyspace;
    private final TopicNames topics;
    private final Producer<byte[], byte[]> producer;

    /** What the log holds: the keyspace's topology state (if any) and every rebalance by id. */
    public record Contents(Optional<TopologyState> state, Map<String, Rebalance> rebalances) {}

    RegistryLog(KafkaConnection kafka, String keyspace, TopicNames topics, Producer<byte[], byte[]> producer) {
        this.kafka = kafka;
        this.keyspace = keyspace;
        this.topics = topics;
        this.producer = producer;
    }

    /** Opens the log for writing, fencing any earlier writer of the keyspace. */
    public static RegistryLog openForWriting(KafkaConnection kafka, String keyspace, TopicNames topics) {
        Properties p = kafka.client(Map.of());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "shardflow-topology-" + keyspace);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new RegistryLog(kafka, keyspace, topics, producer);
    }

    /**
     * Commits a step: the topology state to publish (or null to leave it) and the rebalance's new version (or null),
     * both or neither.
     *
     * @throws NotLeaderException if a newer writer has opened the log since
     * @throws LogBrokenException if the producer is left unusable (its abort failed too): the commit may have landed
     */
    public void commit(TopologyState state, Rebalance rebalance) {
        try {
            producer.beginTransaction();
            if (state != null) {
                producer.send(new ProducerRecord<>(topics.topology(), key(keyspace), state.toBytes()));
            }
            if (rebalance != null) {
                producer.send(new ProducerRecord<>(topics.rebalances(), key(rebalance.id()), rebalance.toBytes()));
            }
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw new NotLeaderException("another topology-service instance now leads keyspace " + keyspace, e);
        } catch (KafkaException e) {
            if (e.getCause() instanceof ProducerFencedException) {
                throw new NotLeaderException("another topology-service instance now leads keyspace " + keyspace, e);
            }
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                if (abortFailed instanceof ProducerFencedException
                        || abortFailed.getCause() instanceof ProducerFencedException) {
                    throw new NotLeaderException("another topology-service instance now leads keyspace " + keyspace,
                            e);
                }
                e.addSuppressed(abortFailed);
                // the producer is in an error state for good (Kafka 4's transactions answer a retried commit it
                // already completed with InvalidTxnStateException, say): whether this step landed is not known
                throw new LogBrokenException("the registry's transactional producer failed and cannot abort ("
                        + e.getMessage() + "); the step may or may not have been committed", e);
            }
            throw e;
        }
    }

    /** Reads both topics to their end, committed records only. */
    public Contents read() {
        return read(kafka, keyspace, topics);
    }

    public static Contents read(KafkaConnection kafka, String keyspace, TopicNames topics) {
        TopologyState[] state = {null};
        Map<String, Rebalance> rebalances = new HashMap<>();
        TopicCatchUp.readAll(kafka, List.of(topics.topology(), topics.rebalances()), record -> {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (record.topic().equals(topics.topology())) {
                state[0] = fold(state[0], record, keyspace);
            } else if (key != null && record.value() != null) {
                Rebalance rebalance = Rebalance.fromBytes(record.value());
                if (rebalance.keyspace().equals(keyspace)) {
                    rebalances.put(key, rebalance);
                }
            }
        });
        return new Contents(Optional.ofNullable(state[0]), rebalances);
    }

    /**
     * The keyspace's topology state as the topology topic holds it, for a reader outside the service (no rebalances);
     * empty when the topic does not exist — reading does not create it, since it must be compacted — or holds none
     * for the keyspace.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException if Kafka does not answer within {@code timeout}
     */
    public static Optional<TopologyState> state(KafkaConnection kafka, String keyspace, TopicNames topics,
            Duration timeout) throws InterruptedException {
        int timeoutMs = (int) timeout.toMillis();
        try (Admin admin = kafka.admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs))) {
            if (!admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS).contains(topics.topology())) {
                return Optional.empty();
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException("listing the topics of " + kafka
                    + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        TopologyState[] state = {null};
        TopicCatchUp.readAll(kafka, List.of(topics.topology()),
                record -> state[0] = fold(state[0], record, keyspace));
        return Optional.ofNullable(state[0]);
    }

    /** The state after a record of the topology topic: the record's, when it is the keyspace's (null: deleted). */
    private static TopologyState fold(TopologyState before, ConsumerRecord<byte[], byte[]> record, String keyspace) {
        if (record.key() == null || !keyspace.equals(new String(record.key(), StandardCharsets.UTF_8))) {
            return before;
        }
        return record.value() == null ? null : TopologyState.fromBytes(record.value());
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
