package dev.shardflow.router;

import dev.shardflow.core.contract.RouterBeat;
import dev.shardflow.core.topology.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the topology service this router is alive, every heartbeat and at once when it can acknowledge a fence. A
 * beat Kafka acknowledged renews the router's lease from the moment it left; one that fails is retried at the next
 * heartbeat, and writes stop when the lease runs out.
 */
final class Heartbeat implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final RouterOptions options;
    private final String topic;
    private final Admission admission;
    private final LongSupplier nanoTime;
    private final KafkaProducer<byte[], byte[]> producer;
    private volatile boolean closing;

    Heartbeat(RouterOptions options, Admission admission, LongSupplier nanoTime) {
        this.options = options;
        this.topic = TopicNames.of(options.fallback()).routers();
        this.admission = admission;
        this.nanoTime = nanoTime;
        long lease = options.lease().toMillis();
        Properties p = options.kafka().client(Map.of());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(lease));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(lease, 1_000)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(lease / 2, 500)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /** Sends one beat and waits for Kafka to acknowledge it. */
    void beat(Admission.Beat beat) {
        RouterBeat message = new RouterBeat(options.routerId(), beat.epoch(), beat.ackedFence(), beat.inFlight(),
                System.currentTimeMillis(), options.lease().toMillis());
        long sentAt = nanoTime.getAsLong();
        try {
            producer.send(new ProducerRecord<>(topic, key(), message.toBytes()))
                    .get(options.lease().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("beat not acknowledged: " + e.getMessage(), e);
        }
        admission.contacted(sentAt); // the lease counts from when the beat left, not from when Kafka answered
    }

    @Override
    public void run() {
        String acked = null;
        while (!closing) {
            Admission.Beat next;
            try {
                next = admission.awaitFenceToAcknowledge(acked, options.heartbeat());
            } catch (InterruptedException e) {
                return;
            }
            if (closing) {
                return;
            }
            try {
                beat(next);
                acked = next.ackedFence();
            } catch (RuntimeException e) {
                if (!closing) {
                    log.warn("router {}: cannot reach Kafka ({}); writes stop when the lease runs out",
                            options.routerId(), e.getMessage());
                }
            }
        }
    }

    /** Stops beating and tells the service this router left, so that no fence waits for it. */
    void close(Thread running) throws InterruptedException {
        closing = true;
        if (running != null) {
            running.interrupt();
            running.join(5_000);
        }
        try {
            producer.send(new ProducerRecord<>(topic, key(), null)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("router {}: could not announce that it left ({})", options.routerId(), e.getMessage());
        }
        producer.close(Duration.ofSeconds(5));
    }

    private byte[] key() {
        return Objects.requireNonNull(options.routerId()).getBytes(StandardCharsets.UTF_8);
    }
}
