package dev.shardflow.writer.kafka;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.MessageSizes;
import dev.shardflow.writer.apply.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends rejected changes to the dead-letter topic: the original key and value, with headers that say why
 * ({@code reason}, {@code exception}) and where the change came from ({@code source.topic}, {@code source.partition},
 * {@code source.offset}, {@code source.shard}, {@code source.position}, {@code table}). A rejected change counts as
 * handled only once {@link #flush} returned; only then may the writer commit past it.
 */
public final class DeadLetters implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String writer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** @param maxMessageBytes the keyspace's largest change ({@code Topology.maxMessageBytes}), sent whole */
    public DeadLetters(KafkaConnection kafka, String topic, String writer, int maxMessageBytes) {
        // a letter is a change and the headers that say why
        Properties p = kafka.client(MessageSizes.producerConfig(maxMessageBytes + 64 * 1024));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "shardflow-writer-dlq-" + writer);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.writer = writer;
    }

    public void send(Rejected rejected) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, rejected.origin().key(),
                rejected.origin().value());
        header(letter, "reason", rejected.reason());
        header(letter, "exception", rejected.error().getClass().getName());
        header(letter, "component", "shard-writer " + writer);
        header(letter, "source.topic", rejected.origin().topic());
        header(letter, "source.partition", String.valueOf(rejected.origin().partition()));
        header(letter, "source.offset", String.valueOf(rejected.origin().offset()));
        ChangeEvent event = rejected.event();
        if (event != null) {
            header(letter, "table", event.table());
            header(letter, "source.shard", event.source().shard());
            header(letter, "source.position", String.valueOf(event.source().position()));
        }
        producer.send(letter, (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
        });
    }

    /** Waits until every letter sent so far is acknowledged; throws if any was refused, and from then on. */
    public void flush() {
        producer.flush();
        Exception error = failure.get();
        if (error != null) {
            throw new KafkaException("the dead-letter topic " + topic + " did not accept a record: "
                    + error.getMessage(), error);
        }
    }

    private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close();
    }
}
