package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.RouterBeat;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.router.RetryableRouteException;
import dev.shardflow.router.Route;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.workflow.Planner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A router on real PostgreSQL shards, following states published on a real topology topic: writes land on the owner
 * of the epoch in force; a fence holds writes to moving keys only, is acknowledged only once no write to a moving
 * key is in flight, and releases them to the new owner at cutover; a stale route and an overlong fence are refused.
 */
class ShardRouterIT {
    private static final TopicNames TOPICS = new TopicNames("sf.shop");
    private static Testbed testbed;
    private static String before;
    private static String after;
    private static Topology next;

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        testbed.kafka().createTopic(TOPICS.topology(), 1, 1, Map.of("cleanup.policy", "compact"));
        testbed.kafka().createTopic(TOPICS.routers(), 1, 1, Map.of());
        String three = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()),
                Scratch.newDirectory("router")));
        before = Planner.plan(three, new Planner.Request(null, List.of("pg3"), null, null)).document();
        Planner.Target target = Planner.plan(before, new Planner.Request(List.of(TextNode.valueOf("pg3")), null, null,
                null));
        after = target.document();
        next = target.topology();
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void writesFollowTheEpochAndAFenceHoldsOnlyMovingKeysUntilCutover() throws Exception {
        Topology current = TopologyLoader.parse(before, "before", Map.of());
        long moving = LongStream.range(1, 10_000).filter(k -> !current.strategy().ownerOf(k)
                .equals(next.strategy().ownerOf(k))).findFirst().orElseThrow();
        long staying = LongStream.range(1, 10_000).filter(k -> current.strategy().ownerOf(k)
                .equals(next.strategy().ownerOf(k))).findFirst().orElseThrow();
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (KafkaProducer<byte[], byte[]> registry = producer();
                ShardRouter router = ShardRouter.builder(current,
                        testbed.kafka().bootstrapServers()).routerId("r1").fenceWait(Duration.ofSeconds(20)).start()) {
            publish(registry, TopologyState.steady("shop", before));
            await().atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == 1);
            insertUser(router, moving, "a");
            assertThat(holder(moving)).isEqualTo(current.strategy().ownerOf(moving));

            TopologyState forward = new TopologyState("shop", before, after, TopologyState.Phase.FORWARD, "r-1");
            publish(registry, forward);
            await("the router sees the rebalance").atMost(Duration.ofSeconds(10)).until(() -> router.moving(moving));
            assertThat(router.moving(staying)).isFalse();
            Route oldRoute = router.route(moving);

            // a write to a moving key in flight when the fence comes delays the router's acknowledgement
            CountDownLatch inFlight = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> {
                try {
                    router.write(moving, connection -> {
                        inFlight.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return update(connection, moving, "b");
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, writers);
            assertThat(inFlight.await(10, TimeUnit.SECONDS)).isTrue();
            publish(registry, forward.withFence("f-1"));
            await("the router sees the fence").atMost(Duration.ofSeconds(10)).until(() -> lastBeat("r1") != null
                    && lastBeat("r1").inFlight() == 1);
            assertThat(lastBeat("r1").ackedFence()).as("not acknowledged while a moving write is in flight").isNull();
            CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
                try {
                    router.write(moving, connection -> update(connection, moving, "c"));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, writers);
            long started = System.nanoTime();
            router.write(staying, connection -> {
                insert(connection, staying, "s");
                return null;
            });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a staying key never waits")
                    .isLessThan(Duration.ofSeconds(2));
            release.countDown();
            slow.get(10, TimeUnit.SECONDS);
            await("the fence acknowledged").atMost(Duration.ofSeconds(10))
                    .until(() -> "f-1".equals(lastBeat("r1").ackedFence()));
            assertThat(held).isNotDone();

            publish(registry, new TopologyState("shop", after, before, TopologyState.Phase.REVERSE, "r-1"));
            held.get(10, TimeUnit.SECONDS);
            assertThat(router.epoch()).isEqualTo(2);
            assertThat(usernameOn(next.strategy().ownerOf(moving), moving)).isEqualTo("c-update");
            assertThat(router.pauses().count()).isEqualTo(1);
            assertThatThrownBy(() -> router.write(moving, oldRoute, connection -> update(connection, moving, "d")))
                    .isInstanceOf(RetryableRouteException.StaleRoute.class)
                    .hasMessageContaining("its owner is " + next.strategy().ownerOf(moving));

            publish(registry, new TopologyState("shop", after, before, TopologyState.Phase.REVERSE, "r-1")
                    .withFence("f-2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> "f-2".equals(lastBeat("r1").ackedFence()));
            try (ShardRouter impatient = ShardRouter.builder(current,
                    testbed.kafka().bootstrapServers()).routerId("r2").fenceWait(Duration.ofMillis(300)).start()) {
                assertThatThrownBy(() -> impatient.write(moving, connection -> update(connection, moving, "e")))
                        .isInstanceOf(RetryableRouteException.FenceTimeout.class).hasMessageContaining("f-2");
            }
            assertThat(lastBeatValue("r2")).as("a closed router says it left").isNull();
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void writesToAShardBeingRebuiltAreRefusedUntilItIsReleased() throws Exception {
        Topology current = TopologyLoader.parse(before, "before", Map.of());
        String rebuilt = current.strategy().shards().get(0);
        long[] onRebuilt = LongStream.range(20_000, 40_000).filter(k -> current.strategy().ownerOf(k).equals(rebuilt))
                .limit(200).toArray();
        long elsewhere = LongStream.range(20_000, 40_000).filter(k -> !current.strategy().ownerOf(k).equals(rebuilt))
                .findFirst().orElseThrow();
        try (KafkaProducer<byte[], byte[]> registry = producer();
                ShardRouter router = ShardRouter.builder(current,
                        testbed.kafka().bootstrapServers()).routerId("r-hold").start()) {
            publish(registry, TopologyState.steady("shop", before).withHeld(List.of(rebuilt)));
            int[] next = {0};
            await("the router refuses writes to " + rebuilt).atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    insertUser(router, onRebuilt[next[0]++], "held");
                    return false;
                } catch (RetryableRouteException.Unavailable refused) {
                    assertThat(refused).hasMessageContaining("shard " + rebuilt).hasMessageContaining("rebuilt");
                    return true;
                }
            });
            insertUser(router, elsewhere, "other shards take writes");

            publish(registry, TopologyState.steady("shop", before));
            await("released").atMost(Duration.ofSeconds(10)).ignoreException(RetryableRouteException.Unavailable.class)
                    .until(() -> {
                        insertUser(router, onRebuilt[next[0]++], "released");
                        return true;
                    });
            assertThat(holder(onRebuilt[next[0] - 1])).isEqualTo(rebuilt);
        }
    }

    private static void insertUser(ShardRouter router, long id, String name) throws SQLException {
        router.write(id, connection -> {
            insert(connection, id, name);
            return null;
        });
    }

    private static void insert(Connection connection, long id, String name) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO users (id, username, email, "
                + "country, created_at, version) VALUES (?, ?, ?, 'DE', now(), 1)")) {
            insert.setLong(1, id);
            insert.setString(2, name);
            insert.setString(3, name + "@example.com");
            insert.executeUpdate();
        }
    }

    private static Integer update(Connection connection, long id, String name) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("INSERT INTO users (id, username, email, "
                + "country, created_at, version) VALUES (?, ?, 'x', 'DE', now(), 1) ON CONFLICT (id) DO UPDATE SET "
                + "username = EXCLUDED.username")) {
            update.setLong(1, id);
            update.setString(2, name + "-update");
            return update.executeUpdate();
        }
    }

    private static String holder(long id) throws SQLException {
        for (DatabaseShard shard : testbed.shards()) {
            if (usernameOn(shard.id(), id) != null) {
                return shard.id();
            }
        }
        return null;
    }

    private static String usernameOn(String shardId, long id) throws SQLException {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.id().equals(shardId)).findFirst().orElseThrow();
        try (Connection connection = shard.connect();
                PreparedStatement select = connection.prepareStatement("SELECT username FROM users WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private static void publish(KafkaProducer<byte[], byte[]> producer, TopologyState state) throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.topology(), "shop".getBytes(StandardCharsets.UTF_8),
                state.toBytes())).get(10, TimeUnit.SECONDS);
    }

    private static RouterBeat lastBeat(String router) {
        byte[] value = lastBeatValue(router);
        return value == null ? null : RouterBeat.fromBytes(value);
    }

    private static byte[] lastBeatValue(String router) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, testbed.kafka().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        byte[] last = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            TopicPartition partition = new TopicPartition(TOPICS.routers(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (router.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        last = record.value();
                    }
                }
            }
        }
        return last;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, testbed.kafka().bootstrapServers());
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
