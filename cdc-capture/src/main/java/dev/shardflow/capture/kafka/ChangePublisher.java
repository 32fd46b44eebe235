package dev.shardflow.capture.kafka;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.MessageSizes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Writes change events to their change topics, keyed by source shard and primary key, with a tombstone after each
 * delete so compaction can drop the row. Idempotent with {@code acks=all}: what was sent counts as written only
 * when {@link #flush} returned, and only then may the source offsets of it be committed.
 */
public final class ChangePublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final TopicNames topics;
    private final List<String> changeTopics;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Callback onAcknowledged = (metadata, error) -> {
        if (error != null) {
            failure.compareAndSet(null, error);
        }
    };

    private volatile KafkaClientMetrics metrics;

    private final long maxRowBytes;

    /**
     * A publisher for the change topics of {@code topology}'s tables, whose rows may be up to its
     * {@code maxRowBytes}.
     */
    public ChangePublisher(KafkaConnection kafka, Topology topology, String clientId) {
        Properties p = producerProperties(kafka, clientId, topology.maxMessageBytes());
        this.maxRowBytes = topology.maxRowBytes();
        this.producer = new KafkaProducer<>(p);
        this.topics = TopicNames.of(topology);
        this.changeTopics = topology.tables().stream().map(t -> topics.cdc(t.name())).toList();
    }

    /**
     * The producer settings of capture: idempotent, {@code acks=all}, lz4, 5 ms linger, 256 KiB batches; records up to
     * {@code maxMessageBytes} (the keyspace's {@code Topology.maxMessageBytes}), with room in the buffer for one.
     */
    public static Properties producerProperties(KafkaConnection kafka, String clientId, int maxMessageBytes) {
        Properties p = kafka.client(Map.of());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.putAll(MessageSizes.producerConfig(maxMessageBytes));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /**
     * Queues one event (and its tombstone, for a delete); a fence marker goes to every change partition.
     *
     * @throws RowTooLarge when an image of the row is larger than {@code maxRowBytes}; nothing was sent
     */
    public void send(ChangeEvent event) {
        if (event.isFence()) {
            sendFence(event);
            return;
        }
        String topic = topics.cdc(event.table());
        byte[] key = SourceRowKey.of(event).toBytes();
        byte[] value = EventJson.toBytes(event);
        if (value.length > maxRowBytes) { // an image is at most the whole change: only then measured apart
            long rowBytes = Math.max(imageBytes(event.before()), imageBytes(event.after()));
            if (rowBytes > maxRowBytes) {
                throw new RowTooLarge(rowBytes, maxRowBytes);
            }
        }
        producer.send(new ProducerRecord<>(topic, key, value), onAcknowledged);
        if (event.op() == Op.DELETE) {
            producer.send(new ProducerRecord<>(topic, key, null), onAcknowledged);
        }
    }

    /**
     * Sends a record capture could not turn into a change event to the dead-letter topic, with why (headers
     * {@code reason}, {@code exception}) and where it came from ({@code source.shard}, {@code source.topic},
     * {@code source.partition}, {@code source.offset}); the payload is the record as Debezium gave it.
     */
    public void sendDeadLetter(String shard, SourceRecord record, Exception error) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.dlq(),
                String.valueOf(record.key()).getBytes(StandardCharsets.UTF_8),
                String.valueOf(record.value()).getBytes(StandardCharsets.UTF_8));
        header(letter, "reason", String.valueOf(error.getMessage()));
        header(letter, "exception", error.getClass().getName());
        header(letter, "source.shard", shard);
        header(letter, "source.topic", record.topic());
        header(letter, "source.partition", String.valueOf(record.sourcePartition()));
        header(letter, "source.offset", String.valueOf(record.sourceOffset()));
        producer.send(letter, onAcknowledged);
    }

    /**
     * Sends a change event that must not be taken as the truth about its row to the dead-letter topic instead of its
     * change topic, with why ({@code reason}) and where it came from ({@code source.shard}, {@code source.position},
     * {@code table}); {@code source.topic} names its change topic, so a replay of the letter sends it there.
     */
    public void sendDeadLetter(ChangeEvent event, String reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.dlq(), SourceRowKey.of(event).toBytes(),
                EventJson.toBytes(event));
        header(letter, "reason", reason);
        header(letter, "component", "capture " + event.source().shard());
        header(letter, "source.shard", event.source().shard());
        header(letter, "source.topic", topics.cdc(event.table()));
        header(letter, "source.position", String.valueOf(event.source().position()));
        header(letter, "table", event.table());
        producer.send(letter, onAcknowledged);
    }

    /**
     * Sends what is known of a row larger than {@code maxRowBytes} to the dead-letter topic instead of its change:
     * its table, key, size and the limit, in headers ({@code row.bytes}, {@code row.maxBytes}, {@code row.key}),
     * and no payload — the row itself stays at its source, and the letter cannot be replayed. Capture goes on.
     */
    public void sendTooLarge(ChangeEvent event, RowTooLarge tooLarge) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.dlq(), SourceRowKey.of(event).toBytes(),
                null);
        header(letter, "reason", tooLarge.getMessage());
        header(letter, "component", "capture " + event.source().shard());
        header(letter, "source.shard", event.source().shard());
        header(letter, "source.topic", topics.cdc(event.table()));
        header(letter, "source.position", String.valueOf(event.source().position()));
        header(letter, "table", event.table());
        header(letter, "op", event.op().name());
        header(letter, "row.key", new String(EventJson.write(event.key(), "a row key"), StandardCharsets.UTF_8));
        header(letter, "row.bytes", Long.toString(tooLarge.rowBytes()));
        header(letter, "row.maxBytes", Long.toString(tooLarge.maxRowBytes()));
        producer.send(letter, onAcknowledged);
    }

    /** A row whose image, as JSON, is larger than the keyspace's {@code maxRowBytes}. */
    public static final class RowTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long rowBytes;
        private final long maxRowBytes;

        RowTooLarge(long rowBytes, long maxRowBytes) {
            super("row too large: " + rowBytes + " bytes as JSON, above maxRowBytes (" + maxRowBytes + "); raise "
                    + "maxRowBytes in the topology file, restart capture, the rebalancer and the writers, and "
                    + "update the row at its source to capture it again");
            this.rowBytes = rowBytes;
            this.maxRowBytes = maxRowBytes;
        }

        public long rowBytes() {
            return rowBytes;
        }

        public long maxRowBytes() {
            return maxRowBytes;
        }
    }

    private static long imageBytes(Map<String, Object> image) {
        return image == null ? 0 : EventJson.write(image, "a row image").length;
    }

    private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A fence marker is appended to every partition of every change topic. The producer keeps order within a
     * partition, so in each partition the marker lands after every change of its source that came before it. Its
     * key, fixed per source shard and partition, lets compaction keep only the latest marker.
     */
    private void sendFence(ChangeEvent fence) {
        byte[] value = EventJson.toBytes(fence);
        for (String topic : changeTopics) {
            int partitions = producer.partitionsFor(topic).size();
            for (int partition = 0; partition < partitions; partition++) {
                byte[] key = new SourceRowKey(fence.source().shard(), Map.of(ControlTables.FENCE, partition))
                        .toBytes();
                producer.send(new ProducerRecord<>(topic, partition, key, value), onAcknowledged);
            }
        }
    }

    /**
     * A schema event is appended to every partition of its table's change topic, so that in each it lands before the
     * first change of the table that has the new definition. Its key, fixed per source shard, table, definition and
     * partition, lets compaction keep one copy of each definition per partition (and not erase the older ones, which
     * a copy from the start of the topic reads before the rows they describe).
     */
    public void sendSchema(ChangeEvent schema) {
        String table = String.valueOf(schema.key().get("table"));
        String topic = topics.cdc(table);
        byte[] value = EventJson.toBytes(schema);
        int partitions = producer.partitionsFor(topic).size();
        for (int partition = 0; partition < partitions; partition++) {
            Map<String, Object> key = new java.util.LinkedHashMap<>(schema.key());
            key.put(ControlTables.SCHEMA, partition);
            producer.send(new ProducerRecord<>(topic, partition, new SourceRowKey(schema.source().shard(), key)
                    .toBytes(), value), onAcknowledged);
        }
    }

    /**
     * Waits until every record sent so far is acknowledged by all in-sync replicas; throws if any was refused,
     * and from then on, so that no later offset commit can pass over the lost record.
     */
    public void flush() {
        producer.flush();
        Exception error = failure.get();
        if (error != null) {
            throw new IllegalStateException("Kafka did not accept a change event: " + error.getMessage(), error);
        }
    }

    @Override
    public void close() {
        unbindMetrics();
        producer.close();
    }

    /** Publishes the producer's own metrics (sends, errors, buffer, latency) in {@code registry} until it closes. */
    public ChangePublisher withMetrics(MeterRegistry registry) {
        KafkaClientMetrics bound = new KafkaClientMetrics(producer);
        bound.bindTo(registry);
        metrics = bound;
        return this;
    }

    private void unbindMetrics() {
        KafkaClientMetrics bound = metrics;
        metrics = null;
        if (bound != null) {
            bound.close();
        }
    }

    /**
     * Closes the producer at once: what Kafka has not acknowledged is dropped, and a {@link #flush} waiting for it
     * returns with the failure, so no offset passes over it.
     */
    public void closeNow() {
        failure.compareAndSet(null, new IllegalStateException("the producer was closed before Kafka acknowledged "
                + "every event"));
        unbindMetrics();
        producer.close(java.time.Duration.ZERO);
    }
}
