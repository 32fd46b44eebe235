package dev.shardflow.rebalancer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.core.topology.TopologyState.Phase;
import dev.shardflow.rebalancer.route.RouteCounts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RekeyTopologyTest {
    private static final List<String> FOUR = List.of("s0", "s1", "s2", "s3");
    private static final List<String> THREE = List.of("s0", "s1", "s2");

    private final RouteCounts counts = new RouteCounts(new SimpleMeterRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> users;
    private TestInputTopic<String, byte[]> states;
    private long position = 1_000;

    private static String doc(long epoch, List<String> shards) {
        return ShopTopology.routingDocument(epoch, shards);
    }

    static Topology topology(long epoch, List<String> shards) {
        return TopologyLoader.parse(doc(epoch, shards), "test", Map.of());
    }

    private void start(TopologyState state) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "rekey-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RekeyTopology.build(topology(1, THREE), counts), config);
        users = driver.createInputTopic("sf.shop.cdc.users", new ByteArraySerializer(), new ByteArraySerializer());
        states = driver.createInputTopic("sf.shop.topology", new StringSerializer(), new ByteArraySerializer());
        states.pipeInput("shop", state.toBytes());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestOutputTopic<byte[], byte[]> apply(String shard) {
        return driver.createOutputTopic("sf.shop.apply." + shard, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private ChangeEvent userChange(long id, String sourceShard) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("username", "user" + id);
        row.put("version", 1L);
        return new ChangeEvent("shop", "users", Op.UPDATE, Map.of("id", id), null, row, id,
                new Source(sourceShard, new PostgresLsn(position += 64), null, 0), 0);
    }

    private void send(ChangeEvent change) {
        users.pipeInput(SourceRowKey.of(change).toBytes(), EventJson.toBytes(change));
    }

    private static ChangeEvent read(TestRecord<byte[], byte[]> record) {
        return EventJson.fromBytes(record.value());
    }

    @Test
    void ownersChangeOfAMovingKeyIsForwardedToItsNextOwnerWithTheEpochInForceAndStayingKeysAreNot() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        Topology before = topology(1, THREE);
        Topology after = topology(2, FOUR);
        List<Long> moving = new ArrayList<>();
        Map<Long, ChangeEvent> sent = new java.util.HashMap<>();
        for (long id = 1; id <= 2_000; id++) {
            String owner = before.strategy().ownerOf(id);
            sent.put(id, userChange(id, owner));
            send(sent.get(id));
            if (!after.strategy().ownerOf(id).equals(owner)) {
                moving.add(id);
            }
        }
        // adding one shard to three moves about a quarter of the keys, all of them to the new shard
        assertThat(moving.size()).isBetween(350, 650);
        for (String shard : THREE) {
            assertThat(apply(shard).readRecordsToList()).as("apply topic of %s", shard).isEmpty();
        }
        List<ChangeEvent> forwarded = apply("s3").readRecordsToList().stream().map(RekeyTopologyTest::read).toList();
        assertThat(forwarded).extracting(e -> (Long) e.key().get("id")).containsExactlyElementsOf(moving);
        assertThat(forwarded).allSatisfy(e -> assertThat(e.epoch()).isEqualTo(1));
        // the change as it came, every column of its row, only re-stamped with the epoch it was routed under
        assertThat(forwarded).allSatisfy(e -> assertThat(e).isEqualTo(sent.get((Long) e.key().get("id")).withEpoch(1)));
        assertThat(counts.get("forwarded")).isEqualTo(moving.size());
        assertThat(counts.get("stays")).isEqualTo(2_000 - moving.size());
    }

    @Test
    void nonOwnerChangeIsNotForwardedButCounted() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        long id = movingKey(topology(1, THREE), topology(2, FOUR));
        send(userChange(id, "s3")); // the writer's own write on the new shard, echoed by its capture
        assertThat(apply("s3").readRecordsToList()).isEmpty();
        assertThat(counts.get("non_owner")).isEqualTo(1);
    }

    @Test
    void removingAShardForwardsItsKeysAndOnlyItsKeys() {
        start(new TopologyState("shop", doc(1, FOUR), doc(2, THREE), Phase.FORWARD, "r1"));
        Topology before = topology(1, FOUR);
        Topology after = topology(2, THREE);
        Map<String, List<Long>> expected = new LinkedHashMap<>();
        for (long id = 1; id <= 2_000; id++) {
            String owner = before.strategy().ownerOf(id);
            send(userChange(id, owner));
            if (owner.equals("s3")) {
                expected.computeIfAbsent(after.strategy().ownerOf(id), s -> new ArrayList<>()).add(id);
            } else {
                assertThat(after.strategy().ownerOf(id)).as("key %d of a remaining shard", id).isEqualTo(owner);
            }
        }
        for (String shard : THREE) {
            assertThat(apply(shard).readRecordsToList().stream().map(r -> (Long) read(r).key().get("id")).toList())
                    .as("keys forwarded to %s", shard).isEqualTo(expected.getOrDefault(shard, List.of()));
        }
        assertThat(expected.values().stream().mapToInt(List::size).sum()).isBetween(350, 650);
    }

    @Test
    void afterCutoverChangesOfMovedKeysFlowBackToTheirPreviousOwner() {
        start(new TopologyState("shop", doc(2, FOUR), doc(1, THREE), Phase.REVERSE, "r1"));
        long id = movingKey(topology(1, THREE), topology(2, FOUR));
        String previous = topology(1, THREE).strategy().ownerOf(id);
        send(userChange(id, "s3"));
        send(userChange(id, previous)); // the old owner's own writes are no longer the truth
        List<ChangeEvent> back = apply(previous).readRecordsToList().stream().map(RekeyTopologyTest::read).toList();
        assertThat(back).hasSize(1);
        assertThat(back.get(0).source().shard()).isEqualTo("s3");
        assertThat(back.get(0).epoch()).isEqualTo(2);
        assertThat(counts.get("non_owner")).isEqualTo(1);
    }

    @Test
    void aFenceMarkerReachesTheShardsChangesFlowToAfterTheChangesBeforeItAndNoOtherShard() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        long id = movingKey(topology(1, THREE), topology(2, FOUR));
        send(userChange(id, topology(1, THREE).strategy().ownerOf(id)));
        send(new ChangeEvent("shop", ControlTables.FENCE, Op.CREATE, Map.of("id", "fence-7"), null,
                Map.of("id", "fence-7", "epoch", 2L), null,
                new Source("s0", new PostgresLsn(position += 64), null, 0), 1));
        List<ChangeEvent> toNewShard = apply("s3").readRecordsToList().stream().map(RekeyTopologyTest::read).toList();
        assertThat(toNewShard).extracting(ChangeEvent::table).containsExactly("users", ControlTables.FENCE);
        for (String shard : THREE) {
            assertThat(apply(shard).readRecordsToList()).as("no fence on %s, which receives nothing", shard).isEmpty();
        }
        assertThat(counts.get("fence")).isEqualTo(1);
    }

    @Test
    void afterCutoverAReverseFenceReachesTheOldOwnersThatChangesFlowBackTo() {
        start(new TopologyState("shop", doc(2, FOUR), doc(1, THREE), Phase.REVERSE, "r1"));
        send(new ChangeEvent("shop", ControlTables.FENCE, Op.CREATE, Map.of("id", "fence-r"), null,
                Map.of("id", "fence-r", "epoch", 3L), null, new Source("s3", new PostgresLsn(position += 64), null, 0),
                2));
        for (String shard : THREE) {
            assertThat(apply(shard).readRecordsToList()).extracting(r -> read(r).key().get("id"))
                    .as("reverse fence on %s", shard).containsExactly("fence-r");
        }
        assertThat(apply("s3").readRecordsToList()).as("the new owner, which changes flow from").isEmpty();
    }

    @Test
    void aFenceMarkerInAChildChangeTopicTravelsThroughTheChildPathAndNamesItsPath() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        ChangeEvent marker = new ChangeEvent("shop", ControlTables.FENCE, Op.CREATE, Map.of("id", "fence-8"),
                null, Map.of("id", "fence-8", "epoch", 2L), null,
                new Source("s1", new PostgresLsn(position += 64), null, 0), 1);
        users.pipeInput(SourceRowKey.of(marker).toBytes(), EventJson.toBytes(marker));
        driver.createInputTopic("sf.shop.cdc.order_items", new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(SourceRowKey.of(marker).toBytes(), EventJson.toBytes(marker));
        List<String> paths = apply("s3").readRecordsToList().stream().map(r -> new String(r.headers()
                .lastHeader(RekeyTopology.FENCE_PATH_HEADER).value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
        assertThat(paths).containsExactlyInAnyOrder("sf.shop.cdc.users:0",
                "sf.shop.cdc.order_items:0>sf.shop.rebalancer.children-by-parent:0");
        assertThat(counts.get("rejected")).isZero();
    }

    @Test
    void aFenceCopyCarriesTheTimeEachHopHandedItOn() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        ChangeEvent marker = new ChangeEvent("shop", ControlTables.FENCE, Op.CREATE, Map.of("id", "fence-9"),
                null, Map.of("id", "fence-9", "epoch", 2L), null,
                new Source("s1", new PostgresLsn(position += 64), null, 0), 1);
        long before = System.currentTimeMillis();
        users.pipeInput(SourceRowKey.of(marker).toBytes(), EventJson.toBytes(marker));
        driver.createInputTopic("sf.shop.cdc.order_items", new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(SourceRowKey.of(marker).toBytes(), EventJson.toBytes(marker));
        long after = System.currentTimeMillis();
        Map<String, List<Long>> hopsByPath = new java.util.HashMap<>();
        for (var record : apply("s3").readRecordsToList()) {
            String path = new String(record.headers().lastHeader(RekeyTopology.FENCE_PATH_HEADER).value(),
                    java.nio.charset.StandardCharsets.UTF_8);
            String hops = new String(record.headers().lastHeader(RekeyTopology.FENCE_HOPS_HEADER).value(),
                    java.nio.charset.StandardCharsets.UTF_8);
            hopsByPath.put(path, java.util.Arrays.stream(hops.split(",")).map(Long::parseLong).toList());
        }
        assertThat(hopsByPath.get("sf.shop.cdc.users:0")).hasSize(1);
        List<Long> child = hopsByPath.get("sf.shop.cdc.order_items:0>sf.shop.rebalancer.children-by-parent:0");
        assertThat(child).as("a child table's marker takes two hops").hasSize(2);
        assertThat(child.get(0)).isLessThanOrEqualTo(child.get(1));
        hopsByPath.values().forEach(hops -> assertThat(hops).allSatisfy(t -> assertThat(t).isBetween(before, after)));
    }

    @Test
    void fenceMarkersArePartitionedToEveryPartition() {
        assertThat(RekeyTopology.everyPartition().partitions("t", new byte[0], new byte[0], 6))
                .contains(IntStream.range(0, 6).boxed().collect(Collectors.toSet()));
    }

    @Test
    void withoutARebalanceNothingIsForwarded() {
        start(TopologyState.steady("shop", doc(1, THREE)));
        for (long id = 1; id <= 100; id++) {
            send(userChange(id, topology(1, THREE).strategy().ownerOf(id)));
        }
        for (String shard : FOUR) {
            assertThat(apply(shard).readRecordsToList()).isEmpty();
        }
        assertThat(counts.get("stays")).isEqualTo(100);
    }

    @Test
    void aShardJoiningTheRingGetsTheReferenceTablesOfTheFirstShardOnlyAndBehindTheFence() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        TestInputTopic<byte[], byte[]> products = driver.createInputTopic("sf.shop.cdc.products",
                new ByteArraySerializer(), new ByteArraySerializer());
        String first = topology(1, THREE).strategy().shards().get(0);
        for (String shard : THREE) {
            ChangeEvent product = new ChangeEvent("shop", "products", Op.READ, Map.of("id", 7L), null,
                    Map.of("id", 7L, "name", "Lamp from " + shard), null,
                    new Source(shard, new PostgresLsn(position += 64), null, 0), 0);
            products.pipeInput(SourceRowKey.of(product).toBytes(), EventJson.toBytes(product));
        }
        ChangeEvent fence = new ChangeEvent("shop", ControlTables.FENCE, Op.CREATE, Map.of("id", "f1"), null,
                Map.of("id", "f1", "epoch", 1L), null, new Source(first, new PostgresLsn(position += 64), null, 0), 0);
        products.pipeInput(SourceRowKey.of(fence).toBytes(), EventJson.toBytes(fence));

        List<ChangeEvent> toNewShard = apply("s3").readRecordsToList().stream().map(RekeyTopologyTest::read).toList();
        assertThat(toNewShard).extracting(ChangeEvent::table).containsExactly("products", ControlTables.FENCE);
        assertThat(toNewShard.get(0).after()).containsEntry("name", "Lamp from " + first);
        assertThat(toNewShard.get(0).epoch()).isEqualTo(1);
        for (String shard : THREE) {
            assertThat(apply(shard).readRecordsToList()).as("shards already in the ring keep their own copy, and "
                    + "receive no marker").isEmpty();
        }
        assertThat(counts.get("replicated")).isEqualTo(1);
        assertThat(counts.get("reference")).isEqualTo(2);
    }

    @Test
    void referenceTablesAreNotCopiedWhenNoShardJoins() {
        start(new TopologyState("shop", doc(2, FOUR), doc(3, THREE), Phase.FORWARD, "r2"));
        TestInputTopic<byte[], byte[]> products = driver.createInputTopic("sf.shop.cdc.products",
                new ByteArraySerializer(), new ByteArraySerializer());
        ChangeEvent product = new ChangeEvent("shop", "products", Op.UPDATE, Map.of("id", 7L), null,
                Map.of("id", 7L, "name", "Lamp"), null,
                new Source(topology(2, FOUR).strategy().shards().get(0), new PostgresLsn(position += 64), null, 0), 0);
        products.pipeInput(SourceRowKey.of(product).toBytes(), EventJson.toBytes(product));
        for (String shard : FOUR) {
            assertThat(apply(shard).readRecordsToList()).isEmpty();
        }
        assertThat(counts.get("reference")).isEqualTo(1);
    }

    /** The bad records of {@link PoisonWatchTest}, which the watch dead-letters; a move leaves and counts them. */
    @Test
    void aMoveLeavesBadEventsCountedAsPoisonWithoutDeadLetteringThemAndTheNextOneFlows() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        users.pipeInput("k".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8));
        ChangeEvent noShardKey = new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", 5L), null,
                Map.of("id", 5L), null, new Source("s0", new PostgresLsn(10), null, 0), 0);
        send(noShardKey);
        ChangeEvent unknownTable = new ChangeEvent("shop", "coupons", Op.CREATE, Map.of("id", 5L), null,
                Map.of("id", 5L), 5L, new Source("s0", new PostgresLsn(11), null, 0), 0);
        send(unknownTable);
        long id = movingKey(topology(1, THREE), topology(2, FOUR));
        String owner = topology(1, THREE).strategy().ownerOf(id);
        send(new ChangeEvent("other", "users", Op.CREATE, Map.of("id", id), null, ShopTopology.userRow(id, 1), id,
                new Source(owner, new PostgresLsn(12), null, 0), 0));
        long staying = stayingKey(topology(1, THREE), topology(2, FOUR), owner);
        send(new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", id), null, ShopTopology.userRow(id, 1),
                staying, new Source(owner, new PostgresLsn(13), null, 0), 0));
        send(userChange(id, owner));

        assertThat(driver.createOutputTopic("sf.shop.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()).as("a move dead-letters no poison: the watch does, once").isEmpty();
        assertThat(apply("s3").readRecordsToList()).hasSize(1);
        assertThat(counts.get("poison")).isEqualTo(5);
        assertThat(counts.get("rejected")).isZero();
    }

    private ChangeEvent order(long id, long userId, String sourceShard) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", userId);
        row.put("status", "pending");
        return new ChangeEvent("shop", "orders", Op.CREATE, Map.of("id", id), null, row, userId,
                new Source(sourceShard, new PostgresLsn(position += 64), null, 0), 0);
    }

    private ChangeEvent item(long id, Long orderId, String sourceShard) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("order_id", orderId);
        row.put("quantity", 1L);
        return new ChangeEvent("shop", "order_items", Op.CREATE, Map.of("id", id), null, row, null,
                new Source(sourceShard, new PostgresLsn(position += 64), null, 0), 0);
    }

    private void sendTo(String table, ChangeEvent change) {
        driver.createInputTopic("sf.shop.cdc." + table, new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(SourceRowKey.of(change).toBytes(), EventJson.toBytes(change));
    }

    @Test
    void aChildGoesWhereItsParentGoes() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        long user = movingKey(topology(1, THREE), topology(2, FOUR));
        String owner = topology(1, THREE).strategy().ownerOf(user);
        String next = topology(2, FOUR).strategy().ownerOf(user);
        sendTo("orders", order(500, user, owner));
        sendTo("order_items", item(9_000, 500L, owner));
        assertThat(apply(next).readRecordsToList()).extracting(r -> read(r).table() + "/" + read(r).key().get("id"))
                .containsExactly("orders/500", "order_items/9000");
    }

    @Test
    void aChildBeforeItsParentIsHeldAndFollowsItWhenItArrives() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        long user = movingKey(topology(1, THREE), topology(2, FOUR));
        String owner = topology(1, THREE).strategy().ownerOf(user);
        String next = topology(2, FOUR).strategy().ownerOf(user);
        sendTo("order_items", item(9_001, 501L, owner));
        sendTo("order_items", item(9_002, 501L, owner));
        sendTo("order_items", item(9_005, 503L, owner)); // another parent's child waits on
        assertThat(apply(next).readRecordsToList()).isEmpty();
        assertThat(counts.get("held")).isEqualTo(3);

        sendTo("orders", order(501, user, owner));
        assertThat(apply(next).readRecordsToList()).extracting(r -> read(r).table() + "/" + read(r).key().get("id"))
                .containsExactlyInAnyOrder("orders/501", "order_items/9001", "order_items/9002");
        assertThat(counts.get("released")).isEqualTo(2);
        sendTo("orders", order(503, user, owner));
        assertThat(apply(next).readRecordsToList()).extracting(r -> read(r).table() + "/" + read(r).key().get("id"))
                .containsExactlyInAnyOrder("orders/503", "order_items/9005");

        sendTo("orders", order(501, user, owner)); // released children are not held any more
        assertThat(apply(next).readRecordsToList()).extracting(r -> read(r).table()).containsExactly("orders");
    }

    @Test
    void aChildOfANonOwnerIsNotForwarded() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        long user = movingKey(topology(1, THREE), topology(2, FOUR));
        String next = topology(2, FOUR).strategy().ownerOf(user);
        sendTo("orders", order(502, user, next)); // the writer's copy echoed by the target's capture
        sendTo("order_items", item(9_003, 502L, next));
        assertThat(apply(next).readRecordsToList()).isEmpty();
        assertThat(counts.get("non_owner")).isEqualTo(2);
    }

    @Test
    void aChildWithoutItsParentColumnIsLeftAsPoison() {
        start(new TopologyState("shop", doc(1, THREE), doc(2, FOUR), Phase.FORWARD, "r1"));
        sendTo("order_items", item(9_004, null, "s0"));
        assertThat(driver.createOutputTopic("sf.shop.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()).as("the poison watch dead-letters it").isEmpty();
        assertThat(counts.get("poison")).isEqualTo(1);
    }

    private static long movingKey(Topology before, Topology after) {
        for (long id = 1; ; id++) {
            if (!before.strategy().ownerOf(id).equals(after.strategy().ownerOf(id))) {
                return id;
            }
        }
    }

    /** A key that the given shard owns before and after. */
    private static long stayingKey(Topology before, Topology after, String shard) {
        for (long id = 1; ; id++) {
            if (before.strategy().ownerOf(id).equals(shard) && after.strategy().ownerOf(id).equals(shard)) {
                return id;
            }
        }
    }
}
