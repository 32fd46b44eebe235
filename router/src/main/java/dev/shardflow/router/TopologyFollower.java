package dev.shardflow.router;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.kafka.TopicCatchUp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topology topic and hands each new state of the keyspace to the {@link Admission}: first to its end (a
 * router routes only after that), then live until closed. A state that cannot be read is logged and skipped; the
 * loop that stops for another reason fails the admission, so writes are refused rather than routed by a topology
 * no longer followed.
 */
final class TopologyFollower implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(TopologyFollower.class);

    private final String routerId;
    private final String keyspace;
    private final String topic;
    private final Admission admission;
    private final RouterListener listener;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closing;

    TopologyFollower(RouterOptions options, Admission admission, RouterListener listener) {
        this.routerId = options.routerId();
        this.keyspace = options.fallback().keyspace();
        this.topic = TopicNames.of(options.fallback()).topology();
        this.admission = admission;
        this.listener = listener;
        Properties c = TopicCatchUp.reader(options.kafka());
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20"); // a cutover's commit reaches held writes at once
        this.consumer = new KafkaConsumer<>(c);
    }

    /** Reads the topic from its beginning to the end it has now. */
    void catchUp() {
        List<TopicPartition> partitions = TopicCatchUp.partitions(consumer, List.of(topic));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        TopicCatchUp.readToEnd(consumer, partitions, r -> follow(r.key(), r.value()));
    }

    @Override
    public void run() {
        try {
            while (!closing) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> follow(r.key(), r.value()));
            }
        } catch (WakeupException e) {
            if (!closing) {
                stopped(e);
            }
        } catch (RuntimeException e) {
            stopped(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Ends {@link #run} (or closes the consumer when it never ran). */
    void close(boolean running) {
        closing = true;
        if (running) {
            consumer.wakeup();
        } else {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void stopped(RuntimeException e) {
        log.error("router {}: stopped following the topology topic; every write is refused from now on", routerId, e);
        admission.fail(e);
        ShardRouter.tell(routerId, () -> listener.failed(e));
    }

    private void follow(byte[] key, byte[] value) {
        if (key == null || value == null || !keyspace.equals(new String(key, StandardCharsets.UTF_8))) {
            return;
        }
        Ownership now = admission.ownership();
        if (Arrays.equals(value, now.stateBytes())) {
            return;
        }
        Ownership next;
        try {
            next = Ownership.of(TopologyState.fromBytes(value), value);
            next.placement(); // parses the documents here, not under the admission's lock
        } catch (RuntimeException e) {
            log.error("router {}: a topology state cannot be read ({}); routing stays on epoch {}", routerId,
                    e.getMessage(), now.epoch());
            return;
        }
        admission.follow(next);
        if (next.epoch() != now.epoch() || !Objects.equals(next.fence(), now.fence())) {
            log.info("router {}: epoch {}{}", routerId, next.epoch(),
                    next.fence() != null ? ", holding moving keys for fence " + next.fence() : "");
            ShardRouter.tell(routerId, () -> listener.epochChanged(next.epoch(), next.fence()));
        }
    }
}
