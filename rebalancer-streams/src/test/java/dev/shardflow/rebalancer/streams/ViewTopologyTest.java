package dev.shardflow.rebalancer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.testkit.ShopTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ViewTopologyTest {
    private static final List<String> THREE = List.of("s0", "s1", "s2");
    private final RouteCounts counts = new RouteCounts(new SimpleMeterRegistry());
    private final Topology keyspace = TopologyLoader.parse(ShopTopology.routingDocument(1, THREE), "test", Map.of());
    private TopologyTestDriver driver;
    private TestOutputTopic<byte[], byte[]> view;
    private long position = 1_000;

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "view-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(ViewTopology.build(keyspace, counts), config);
        driver.createInputTopic("sf.shop.topology", new StringSerializer(), new ByteArraySerializer())
                .pipeInput("shop", TopologyState.steady("shop", ShopTopology.routingDocument(1, THREE)).toBytes());
        view = driver.createOutputTopic("sf.shop.view.order_user_view", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private String owner(long userId) {
        return keyspace.strategy().ownerOf(userId);
    }

    private void user(long id, String username, String source) {
        user(id, username, source, position += 64);
    }

    private void user(long id, String username, String source, long at) {
        Map<String, Object> row = ShopTopology.userRow(id, at);
        row.put("username", username);
        send("users", new ChangeEvent("shop", "users", Op.UPDATE, Map.of("id", id), null, row, id,
                new Source(source, new PostgresLsn(at), null, 0), 0));
    }

    private void order(long id, long userId, String status, Op op) {
        order(id, userId, status, null, op, position += 64);
    }

    private void order(long id, long userId, String status, String username, Op op) {
        order(id, userId, status, username, op, position += 64);
    }

    private void order(long id, long userId, String status, String username, Op op, long at) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", userId);
        row.put("username", username);
        row.put("total_amount", new BigDecimal("12.50"));
        row.put("status", status);
        send("orders", new ChangeEvent("shop", "orders", op, Map.of("id", id), op == Op.DELETE ? row : null,
                op == Op.DELETE ? null : row, userId, new Source(owner(userId), new PostgresLsn(at), null, 0), 0));
    }

    private void send(String table, ChangeEvent change) {
        driver.createInputTopic("sf.shop.cdc." + table, new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(SourceRowKey.of(change).toBytes(), EventJson.toBytes(change));
    }

    private List<ChangeEvent> changes() {
        return view.readRecordsToList().stream().map(r -> EventJson.fromBytes(r.value())).toList();
    }

    /** The patches sent to a shard's apply topic. */
    private List<ChangeEvent> patches(String shard) {
        return driver.createOutputTopic("sf.shop.apply." + shard, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).readRecordsToList().stream().map(r -> EventJson.fromBytes(r.value()))
                .toList();
    }

    @Test
    void aViewRowJoinsAnOrderWithItsUserAndFollowsChangesOfEitherSide() {
        user(7, "alice", owner(7));
        long aliceAt = position;
        order(100, 7, "pending", Op.CREATE);
        long pendingAt = position;
        assertThat(changes()).singleElement().satisfies(row -> {
            assertThat(row.table()).isEqualTo("order_user_view");
            assertThat(row.key()).isEqualTo(Map.of("order_id", 100L));
            assertThat(row.after()).containsEntry("username", "alice").containsEntry("status", "pending")
                    .containsEntry("user_id", 7L).containsEntry("total_amount", new BigDecimal("12.50"));
            assertThat(row.source().position()).isEqualTo(new PostgresLsn(pendingAt)); // versioned by the order
            assertThat(row.joined().source().position()).isEqualTo(new PostgresLsn(aliceAt)); // then by the user
        });

        user(7, "alice2", owner(7));
        assertThat(changes()).singleElement().satisfies(row -> {
            assertThat(row.after()).containsEntry("username", "alice2").containsEntry("status", "pending");
            assertThat(row.source().position()).isEqualTo(new PostgresLsn(pendingAt));
            assertThat(row.joined().source().position()).isEqualTo(new PostgresLsn(position));
        });

        order(100, 7, "shipped", Op.UPDATE);
        assertThat(changes()).singleElement().satisfies(row ->
                assertThat(row.after()).containsEntry("username", "alice2").containsEntry("status", "shipped"));

        order(100, 7, "shipped", Op.DELETE);
        assertThat(changes()).singleElement().satisfies(row -> {
            assertThat(row.op()).isEqualTo(Op.DELETE);
            assertThat(row.key()).isEqualTo(Map.of("order_id", 100L));
        });
    }

    /**
     * An application renames a user and ships their order in one transaction; the view reads the order's change
     * first, joins it with the old user, then the user's change. The second view row is the right one, and a
     * writer's version guard (apply only what is strictly newer) must keep it.
     */
    @Test
    void anOrderAndItsUserChangedTogetherEndTheViewAtTheirNewCombinationWhicheverIsReadFirst() {
        user(11, "v1", owner(11));
        order(500, 11, "pending", Op.CREATE);
        assertThat(changes()).hasSize(1);
        long renamedAt = position += 64;
        long shippedAt = position += 64;
        order(500, 11, "shipped", null, Op.UPDATE, shippedAt);
        user(11, "v2", owner(11), renamedAt);

        List<ChangeEvent> rows = changes();
        assertThat(rows).extracting(row -> row.after().get("username") + "/" + row.after().get("status"))
                .containsExactly("v1/shipped", "v2/shipped");
        assertThat(java.util.Arrays.compareUnsigned(VersionStamp.rowVersion(rows.get(1)),
                VersionStamp.rowVersion(rows.get(0)))).as("the later view row is newer to the writer's guard")
                .isPositive();
    }

    @Test
    void aNonOwnersCopyOfAUserDoesNotChangeTheView() {
        user(8, "bob", owner(8));
        order(101, 8, "pending", Op.CREATE);
        assertThat(changes()).hasSize(1);
        String other = THREE.stream().filter(s -> !s.equals(owner(8))).findFirst().orElseThrow();
        user(8, "mallory", other);
        assertThat(changes()).isEmpty();
        assertThat(counts.get("view_non_owner")).isEqualTo(1);
    }

    @Test
    void aRenamedUserPatchesTheUsernameOfEachOfItsOrdersOnTheOrdersShard() {
        user(9, "carol", owner(9));
        order(200, 9, "pending", "carol", Op.CREATE);
        order(201, 9, "pending", "old-name", Op.CREATE);
        assertThat(patches(owner(9))).singleElement().satisfies(patch -> {
            assertThat(patch.op()).isEqualTo(Op.PATCH);
            assertThat(patch.table()).isEqualTo("orders");
            assertThat(patch.key()).isEqualTo(Map.of("id", 201L));
            assertThat(patch.after()).isEqualTo(Map.of("username", "carol"));
        });

        user(9, "carol2", owner(9));
        long renamedAt = position;
        List<ChangeEvent> patches = patches(owner(9));
        assertThat(patches).extracting(p -> p.key().get("id")).containsExactlyInAnyOrder(200L, 201L);
        assertThat(patches).allSatisfy(patch -> {
            assertThat(patch.after()).isEqualTo(Map.of("username", "carol2"));
            assertThat(patch.source().position()).isEqualTo(new PostgresLsn(renamedAt)); // versioned by the user row
        });
        THREE.stream().filter(s -> !s.equals(owner(9))).forEach(s -> assertThat(patches(s)).isEmpty());
    }

    @Test
    void aPatchedOrderCapturedAgainEndsTheExchange() {
        user(10, "dave", owner(10));
        order(300, 10, "pending", "someone", Op.CREATE);
        assertThat(patches(owner(10))).hasSize(1);
        order(300, 10, "pending", "dave", Op.UPDATE); // the writer's patch, as capture reads it back
        order(300, 10, "shipped", "dave", Op.UPDATE);
        assertThat(patches(owner(10))).isEmpty();
    }

    @Test
    void duringARebalanceAPatchGoesToTheOrdersOwnerOnBothSides() {
        List<String> four = List.of("s0", "s1", "s2", "s3");
        Topology next = TopologyLoader.parse(ShopTopology.routingDocument(2, four), "test", Map.of());
        long userId = java.util.stream.LongStream.range(1, 10_000)
                .filter(id -> !owner(id).equals(next.strategy().ownerOf(id))).findFirst().orElseThrow();
        driver.createInputTopic("sf.shop.topology", new StringSerializer(), new ByteArraySerializer())
                .pipeInput("shop", new TopologyState("shop", ShopTopology.routingDocument(1, THREE),
                        ShopTopology.routingDocument(2, four), TopologyState.Phase.FORWARD, "r1").toBytes());
        user(userId, "erin", owner(userId));
        order(400, userId, "pending", "someone", Op.CREATE);
        assertThat(patches(owner(userId))).hasSize(1);
        assertThat(patches(next.strategy().ownerOf(userId))).singleElement()
                .satisfies(patch -> assertThat(patch.after()).isEqualTo(Map.of("username", "erin")));
    }

    @Test
    void changesThatDoNotBelongToTheKeyspaceAreLeftToThePoisonWatchAndTheViewFlowsOn() {
        Map<String, Object> row = ShopTopology.userRow(7, 1);
        ChangeEvent otherKeyspace = new ChangeEvent("other", "users", Op.UPDATE, Map.of("id", 7L), null, row, 7L,
                new Source(owner(7), new PostgresLsn(position += 64), null, 0), 0);
        send("users", otherKeyspace);
        ChangeEvent wrongShardKey = new ChangeEvent("shop", "users", Op.UPDATE, Map.of("id", 7L), null, row, 8L,
                new Source(owner(7), new PostgresLsn(position += 64), null, 0), 0);
        send("users", wrongShardKey);
        driver.createInputTopic("sf.shop.cdc.orders", new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput("k".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        user(7, "ada", owner(7));
        order(70, 7, "pending", Op.CREATE);

        assertThat(driver.createOutputTopic("sf.shop.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()).as("the poison watch dead-letters them, once").isEmpty();
        assertThat(changes()).singleElement().satisfies(change -> assertThat(change.after())
                .containsEntry("username", "ada"));
        assertThat(counts.get("view_poison")).isEqualTo(3);
    }
}
