package dev.shardflow.rebalancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.process.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rebalancer process on a real broker, SIGKILLed in the middle of forwarding a copy and started again: with
 * exactly-once processing every change of a moving key is in its next owner's apply topic once, and nothing else is.
 */
class RekeyExactlyOnceIT {
    private static final List<String> THREE = List.of("s0", "s1", "s2");
    private static final List<String> FOUR = List.of("s0", "s1", "s2", "s3");
    private static final int CHANGES = 40_000;
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).start();
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void aKilledRebalancerResumesAndEveryMovingChangeIsForwardedExactlyOnce() throws Exception {
        String bootstrap = testbed.kafka().bootstrapServers();
        Topology before = TopologyLoader.parse(ShopTopology.routingDocument(1, THREE), "test", Map.of());
        Topology after = TopologyLoader.parse(ShopTopology.routingDocument(2, FOUR), "test", Map.of());
        for (String table : List.of("users", "orders", "order_items", "products")) {
            testbed.kafka().createTopic("sf.shop.cdc." + table, 6, 1, Map.of());
        }
        testbed.kafka().createTopic("sf.shop.topology", 1, 1,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        Set<String> expected = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(), new TopologyState("shop",
                    ShopTopology.routingDocument(1, THREE), ShopTopology.routingDocument(2, FOUR),
                    TopologyState.Phase.FORWARD, "r1").toBytes()));
            for (long i = 1; i <= CHANGES; i++) {
                long id = 1 + i % 10_000; // several changes per key, in order
                String owner = before.strategy().ownerOf(id);
                ChangeEvent change = new ChangeEvent("shop", "users", Op.UPDATE, Map.of("id", id), null,
                        Map.of("id", id, "version", i), id,
                        new Source(owner, new PostgresLsn(1_000 + i * 64), null, 0), 0);
                producer.send(new ProducerRecord<>("sf.shop.cdc.users", SourceRowKey.of(change).toBytes(),
                        EventJson.toBytes(change)), (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                if (!after.strategy().ownerOf(id).equals(owner)) {
                    expected.add(id + "@" + i);
                }
            }
            producer.flush();
            assertThat(failure.get()).isNull();
        }

        Path dir = Scratch.newDirectory("rebalancer");
        Files.writeString(dir.resolve("topology.yaml"), ShopTopology.routingDocument(1, THREE));
        Path config = dir.resolve("rebalancer.yaml");
        Files.writeString(config, """
                topology: topology.yaml
                kafka:
                  bootstrapServers: %s
                  replicationFactor: 1
                streams:
                  stateDir: %s
                http:
                  port: 0
                """.formatted(bootstrap, dir.resolve("state")));
        Process first = startRebalancer(config, "first");
        Process second = null;
        try {
            await("the copy under way").atMost(Duration.ofSeconds(120))
                    .failFast(() -> !first.isAlive())
                    .until(() -> forwarded(bootstrap, "s3").size() > 2_000);
            first.toHandle().destroyForcibly(); // SIGKILL: an open transaction is aborted, not committed
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(forwarded(bootstrap, "s3").size()).isLessThan(expected.size());

            second = startRebalancer(config, "second");
            Process restarted = second;
            await("the copy complete after the restart").atMost(Duration.ofSeconds(180))
                    .failFast(() -> !restarted.isAlive())
                    .until(() -> forwarded(bootstrap, "s3").size() >= expected.size());
            List<String> forwarded = forwarded(bootstrap, "s3");
            assertThat(forwarded).doesNotHaveDuplicates();
            assertThat(new HashSet<>(forwarded)).isEqualTo(expected);
            for (String shard : THREE) {
                assertThat(forwarded(bootstrap, shard)).as("apply topic of %s", shard).isEmpty();
            }
        } finally {
            first.toHandle().destroyForcibly();
            if (second != null) {
                second.toHandle().destroyForcibly();
            }
        }
    }

    private static Process startRebalancer(Path config, String name) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RebalancerMain.class.getName(), config.toString()).redirectErrorStream(true)
                .redirectOutput(config.resolveSibling("rebalancer-" + name + ".log").toFile()).start();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** The committed changes of a shard's apply topic, as id@version. */
    private static List<String> forwarded(String bootstrap, String shard) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> changes = new ArrayList<>();
        String topic = "sf.shop.apply." + shard;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (partitions.isEmpty()) {
                return changes;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    ChangeEvent change = EventJson.fromBytes(r.value());
                    changes.add(change.key().get("id") + "@" + change.after().get("version"));
                });
            }
        }
        return changes;
    }
}
