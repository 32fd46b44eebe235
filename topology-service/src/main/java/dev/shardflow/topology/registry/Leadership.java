package dev.shardflow.topology.registry;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects one topology-service instance per keyspace: every instance joins one consumer group on a topic of one
 * partition, and the instance the group assigns it to leads; the others wait as standbys. When the leader dies its
 * session expires and a standby is assigned the partition. Election alone is not safety — a leader that only thinks
 * it still leads is stopped by {@link RegistryLog}'s fencing.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    /** What an instance does when it gains or loses the lead; called on the election thread, in order. */
    public interface Listener {
        void elected();

        void deposed();
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String instanceId;
    private final Listener listener;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closing;

    public Leadership(KafkaConnection kafka, String keyspace, TopicNames topics, String instanceId,
            Duration sessionTimeout, Listener listener) {
        this.topic = topics.topologyLeader();
        this.instanceId = instanceId;
        this.listener = listener;
        Properties p = kafka.client(Map.of());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "shardflow-topology-" + keyspace);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "shardflow-topology-" + instanceId);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionTimeout.toMillis()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(100, sessionTimeout.toMillis() / 6)));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a standby joining must not take the partition away from the leader, even for a moment
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.thread = new Thread(this::run, "topology-election-" + keyspace);
        this.thread.setDaemon(true);
    }

    public Leadership start() {
        thread.start();
        return this;
    }

    public boolean leading() {
        return leading.get();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        depose("the group moved the lead elsewhere");
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    depose("this instance's group session expired");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty() && leading.compareAndSet(false, true)) {
                        log.info("topology service {}: elected leader", instanceId);
                        listener.elected();
                    }
                }
            });
            while (!closing) {
                consumer.poll(Duration.ofMillis(500)); // the topic stays empty; polling keeps the membership
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("topology service {}: the election failed; this instance no longer leads", instanceId, e);
        } finally {
            depose("stopping");
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void depose(String why) {
        if (leading.compareAndSet(true, false)) {
            log.warn("topology service {}: no longer leader ({})", instanceId, why);
            listener.deposed();
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
