package dev.shardflow.rebalancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Poison written while no rebalance runs is dead-lettered when it arrives, once: not again by two moves that copy the
 * change topics from their beginning, and not again by a rebalancer whose poison watch lost its offsets and reads
 * everything again.
 */
class PoisonOnceIT {
    private static final List<String> THREE = List.of("s0", "s1", "s2");
    private static final List<String> FOUR = List.of("s0", "s1", "s2", "s3");
    private static final List<String> FIVE = List.of("s0", "s1", "s2", "s3", "s4");
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
    void poisonWrittenWhileNoRebalanceRunsIsDeadLetteredOnceAcrossTwoMovesAndARestart() throws Exception {
        String bootstrap = testbed.kafka().bootstrapServers();
        Topology before = TopologyLoader.parse(ShopTopology.routingDocument(1, THREE), "test", Map.of());
        for (String table : List.of("users", "orders", "order_items", "products")) {
            testbed.kafka().createTopic("sf.shop.cdc." + table, 3, 1, Map.of());
        }
        RebalancerOptions options = RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                .withStateDir(Scratch.newDirectory("poison-once").toString());
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(StandardCharsets.UTF_8),
                    TopologyState.steady("shop", ShopTopology.routingDocument(1, THREE)).toBytes()));
            for (long id = 1; id <= 300; id++) {
                send(producer, user(before, id, before.strategy().ownerOf(id)));
            }
            try (RebalancerService rebalancer = new RebalancerService(options).start()) {
                await("the poison watch running").atMost(Duration.ofSeconds(60))
                        .until(() -> rebalancer.poisonWatchState() == KafkaStreams.State.RUNNING);
                // while steady: a record that is not JSON, one from a shard the keyspace does not declare, and one of
                // a table it does not have
                producer.send(new ProducerRecord<>("sf.shop.cdc.users", "k".getBytes(StandardCharsets.UTF_8),
                        "{not json".getBytes(StandardCharsets.UTF_8)));
                send(producer, user(before, 7, "s9"));
                send(producer, new ChangeEvent("shop", "coupons", Op.CREATE, Map.of("id", 5L), null,
                        Map.of("id", 5L), 5L, new Source("s0", new PostgresLsn(11), null, 0), 0), "sf.shop.cdc.orders");
                producer.flush();
                await("each bad record dead-lettered as it arrives, no rebalance running")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> letters(bootstrap).size() == 3);
                assertThat(rebalancer.moving()).isEmpty();

                move(producer, rebalancer, "r1", 1, THREE, 2, FOUR);
                move(producer, rebalancer, "r2", 2, FOUR, 3, FIVE);
                assertThat(rebalancer.counts().get("poison")).as("the moves met the poison and left it")
                        .isGreaterThanOrEqualTo(4);
            }
            // a rebalancer whose watch lost its offsets reads every change topic from the beginning again
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                await("the watch's offsets deleted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .ignoreExceptions().until(() -> {
                            admin.deleteConsumerGroups(List.of(ConsumerGroups.poisonWatch(options.applicationId())))
                                    .all().get(30, TimeUnit.SECONDS);
                            return true;
                        });
            }
            try (RebalancerService again = new RebalancerService(options.withStateDir(
                    Scratch.newDirectory("poison-once-2").toString())).start()) {
                await("the watch has read everything again").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> again.counts().get("poison_known")
                                + again.counts().get("poison_dead_lettered") >= 3);
                assertThat(again.counts().get("poison_known")).as("recognised by topic, partition and offset")
                        .isEqualTo(3);
            }
        }
        List<ConsumerRecord<byte[], byte[]>> letters = letters(bootstrap);
        assertThat(letters).as("three bad records, three letters, after two moves and a restart").hasSize(3);
        assertThat(letters).extracting(l -> header(l, "component")).containsOnly("rebalancer poison watch");
        assertThat(letters).extracting(l -> header(l, "reason")).anySatisfy(r -> assertThat(r)
                .startsWith("cannot read the record")).anySatisfy(r -> assertThat(r)
                .contains("source shard 's9' is not declared")).anySatisfy(r -> assertThat(r)
                .contains("table coupons is not in keyspace shop"));
    }

    /** Runs a rebalance's move until its copy is whole, then ends it with a steady state. */
    private static void move(KafkaProducer<byte[], byte[]> producer, RebalancerService rebalancer, String id,
            long fromEpoch, List<String> from, long toEpoch, List<String> to) {
        producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(StandardCharsets.UTF_8),
                new TopologyState("shop", ShopTopology.routingDocument(fromEpoch, from),
                        ShopTopology.routingDocument(toEpoch, to), TopologyState.Phase.FORWARD, id).toBytes()));
        producer.flush();
        await("the move of " + id + " running").atMost(Duration.ofSeconds(60))
                .until(() -> rebalancer.moving().equals(Optional.of(id))
                        && rebalancer.state() == KafkaStreams.State.RUNNING);
        await("the whole copy of " + id + " read").atMost(Duration.ofSeconds(120))
                .until(() -> rebalancer.copyProgress().orElseThrow().fraction() == 1.0);
        producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(StandardCharsets.UTF_8),
                TopologyState.steady("shop", ShopTopology.routingDocument(toEpoch, to)).toBytes()));
        producer.flush();
        await("the move of " + id + " stopped").atMost(Duration.ofSeconds(60))
                .until(() -> rebalancer.moving().isEmpty());
    }

    private static ChangeEvent user(Topology topology, long id, String source) {
        return new ChangeEvent("shop", "users", Op.READ, Map.of("id", id), null, ShopTopology.userRow(id, 1), id,
                new Source(source, new PostgresLsn(id * 64), null, 0), topology.epoch());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, ChangeEvent change) {
        send(producer, change, "sf.shop.cdc." + change.table());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, ChangeEvent change, String topic) {
        producer.send(new ProducerRecord<>(topic, SourceRowKey.of(change).toBytes(), EventJson.toBytes(change)));
    }

    private static List<ConsumerRecord<byte[], byte[]>> letters(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor("sf.shop.dlq").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(letters::add);
            }
        }
        return letters;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
