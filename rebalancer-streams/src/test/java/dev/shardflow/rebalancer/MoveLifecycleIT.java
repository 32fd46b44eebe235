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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rebalancer follows its keyspace's topology topic: nothing moves while it is steady; a rebalance starts a move
 * that copies the change topics from their beginning and reports its progress up to the whole copy, measured
 * against where the copy first started even for an instance that joins later; a steady state again stops it; the
 * views run all along.
 */
class MoveLifecycleIT {
    private static final List<String> THREE = List.of("s0", "s1", "s2");
    private static final List<String> FOUR = List.of("s0", "s1", "s2", "s3");
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
    void aRebalanceStartsAMoveThatCopiesFromTheBeginningAndASteadyStateStopsIt() throws Exception {
        String bootstrap = testbed.kafka().bootstrapServers();
        Topology before = TopologyLoader.parse(ShopTopology.routingDocument(1, THREE), "test", Map.of());
        for (String table : List.of("users", "orders", "order_items", "products")) {
            testbed.kafka().createTopic("sf.shop.cdc." + table, 3, 1, Map.of());
        }
        RebalancerOptions options = RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                .withStateDir(Scratch.newDirectory("move-lifecycle").toString());
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
                RebalancerService rebalancer = new RebalancerService(options).start()) {
            for (long id = 1; id <= 3_000; id++) {
                ChangeEvent change = new ChangeEvent("shop", "users", Op.READ, Map.of("id", id), null,
                        ShopTopology.userRow(id, 1), id,
                        new Source(before.strategy().ownerOf(id), new PostgresLsn(id * 64), null, 0), 1);
                producer.send(new ProducerRecord<>("sf.shop.cdc.users", SourceRowKey.of(change).toBytes(),
                        EventJson.toBytes(change)));
            }
            producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(),
                    TopologyState.steady("shop", ShopTopology.routingDocument(1, THREE)).toBytes()));
            producer.flush();
            assertThat(rebalancer.moving()).isEmpty();

            producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(), new TopologyState("shop",
                    ShopTopology.routingDocument(1, THREE), ShopTopology.routingDocument(2, FOUR),
                    TopologyState.Phase.FORWARD, "r7").toBytes()));
            producer.flush();
            await("the move of r7 running").atMost(Duration.ofSeconds(60))
                    .until(() -> rebalancer.moving().equals(java.util.Optional.of("r7"))
                            && rebalancer.state() == KafkaStreams.State.RUNNING);
            await("the whole copy read").atMost(Duration.ofSeconds(120))
                    .until(() -> rebalancer.copyProgress().orElseThrow().fraction() == 1.0);
            assertThat(rebalancer.copyProgress().orElseThrow().total()).isEqualTo(3_000);
            assertThat(rebalancer.counts().get("forwarded")).isBetween(500L, 1_000L);

            // another instance joining the move later measures the copy against the same recorded start
            for (long id = 3_001; id <= 3_500; id++) {
                ChangeEvent change = new ChangeEvent("shop", "users", Op.READ, Map.of("id", id), null,
                        ShopTopology.userRow(id, 1), id,
                        new Source(before.strategy().ownerOf(id), new PostgresLsn(id * 64), null, 0), 1);
                producer.send(new ProducerRecord<>("sf.shop.cdc.users", SourceRowKey.of(change).toBytes(),
                        EventJson.toBytes(change)));
            }
            producer.flush();
            try (RebalancerService second = new RebalancerService(options.withStateDir(
                    Scratch.newDirectory("move-lifecycle-2").toString())).start()) {
                await("the second instance in the move").atMost(Duration.ofSeconds(60))
                        .until(() -> second.moving().isPresent());
                assertThat(second.copyProgress().orElseThrow().total()).isEqualTo(3_000);
            }

            producer.send(new ProducerRecord<>("sf.shop.topology", "shop".getBytes(),
                    TopologyState.steady("shop", ShopTopology.routingDocument(2, FOUR)).toBytes()));
            producer.flush();
            await("the move stopped").atMost(Duration.ofSeconds(60)).until(() -> rebalancer.moving().isEmpty());

            // the views run all along: an order of user 1 appears in order_user_view with the user's name
            Topology after = TopologyLoader.parse(ShopTopology.routingDocument(2, FOUR), "test", Map.of());
            ChangeEvent order = new ChangeEvent("shop", "orders", Op.CREATE, Map.of("id", 42L), null,
                    Map.of("id", 42L, "user_id", 1L, "status", "pending"), 1L,
                    new Source(after.strategy().ownerOf(1L), new PostgresLsn(1_000_000), null, 0), 2);
            producer.send(new ProducerRecord<>("sf.shop.cdc.orders", SourceRowKey.of(order).toBytes(),
                    EventJson.toBytes(order)));
            producer.flush();
            assertThat(rebalancer.viewsState()).isNotEqualTo(KafkaStreams.State.NOT_RUNNING);
            await("order 42 in order_user_view").atMost(Duration.ofSeconds(60))
                    .until(() -> viewRows(bootstrap).stream().anyMatch(row -> row.key().equals(Map.of("order_id", 42L))
                            && "user1".equals(row.after().get("username"))));
        }
    }

    private static List<ChangeEvent> viewRows(String bootstrap) {
        Properties p = new Properties();
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        List<ChangeEvent> rows = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            var partitions = consumer.partitionsFor("sf.shop.view.order_user_view").stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> rows.add(EventJson.fromBytes(r.value())));
            }
        }
        return rows;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
