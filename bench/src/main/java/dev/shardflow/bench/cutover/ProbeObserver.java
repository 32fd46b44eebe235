package dev.shardflow.bench.cutover;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.topology.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads the change, apply and view topics from their end and notes when each probe's change shows up. */
final class ProbeObserver implements Runnable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicNames names;
    private final Map<String, Probe> probes;
    private volatile boolean stopping;

    ProbeObserver(String bootstrap, TopicNames names, Map<String, Probe> probes) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // what the next hop sees
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.names = names;
        this.probes = probes;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(names.cdc("users"), names.apply("pg3"), names.view("order_user_view"))) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic,
                    info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    seen(record, now);
                }
            }
        } finally {
            consumer.close();
        }
    }

    private void seen(ConsumerRecord<byte[], byte[]> record, long now) {
        if (record.value() == null) {
            return;
        }
        String topic = record.topic();
        if (topic.equals(names.cdc("users"))) {
            if (!isProbeUser(SourceRowKey.fromBytes(record.key()).key().get("id"))) {
                return;
            }
            Probe probe = probe(EventJson.fromBytes(record.value()), "username");
            if (probe != null && probe.cdcMs == 0) {
                probe.cdcMs = now;
            }
        } else if (topic.equals(names.apply("pg3"))) {
            TableRowKey key = TableRowKey.fromBytes(record.key());
            if (!"users".equals(key.table()) || !isProbeUser(key.key().get("id"))) {
                return;
            }
            Probe probe = probe(EventJson.fromBytes(record.value()), "username");
            if (probe != null && probe.applyTopicMs == 0) {
                probe.applyTopicMs = now;
            }
        } else {
            Probe probe = probe(EventJson.fromBytes(record.value()), "username");
            if (probe != null && probe.viewTopicMs == 0) {
                probe.viewTopicMs = now;
            }
        }
    }

    private Probe probe(ChangeEvent change, String column) {
        if (change.after() == null || !(change.after().get(column) instanceof String name)) {
            return null;
        }
        return probes.get(name);
    }

    private static boolean isProbeUser(Object id) {
        return id instanceof Number n && n.longValue() >= LatencyBench.PROBE_BASE;
    }

    void stop() {
        stopping = true;
    }
}
