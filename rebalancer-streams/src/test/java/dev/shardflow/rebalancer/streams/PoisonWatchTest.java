package dev.shardflow.rebalancer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.testkit.ShopTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poison watch dead-letters each bad change record once, with its reason and where it was read, whether a
 * rebalance runs or not, and records it in the poison topic; a record it already recorded is not dead-lettered
 * again by a watch that reads the change topics from the beginning.
 */
class PoisonWatchTest {
    private static final List<String> THREE = List.of("s0", "s1", "s2");

    private final RouteCounts counts = new RouteCounts(new SimpleMeterRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> users;

    private static Topology topology() {
        return TopologyLoader.parse(ShopTopology.routingDocument(1, THREE), "test", Map.of());
    }

    private void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "poison-watch-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(PoisonWatch.build(topology(), counts), config);
        users = driver.createInputTopic("sf.shop.cdc.users", new ByteArraySerializer(), new ByteArraySerializer());
        // steady: no rebalance runs
        driver.createInputTopic("sf.shop.topology", new StringSerializer(), new ByteArraySerializer())
                .pipeInput("shop", TopologyState.steady("shop", ShopTopology.routingDocument(1, THREE)).toBytes());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(ChangeEvent change) {
        users.pipeInput(SourceRowKey.of(change).toBytes(), EventJson.toBytes(change));
    }

    /** Four bad records and, between them, good ones. */
    private void sendBadAndGood() {
        users.pipeInput("k".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8));
        send(new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", 5L), null, Map.of("id", 5L), null,
                new Source("s0", new PostgresLsn(10), null, 0), 0));
        send(new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", 6L), null, ShopTopology.userRow(6, 1), 6L,
                new Source(topology().strategy().ownerOf(6L), new PostgresLsn(11), null, 0), 0));
        send(new ChangeEvent("shop", "coupons", Op.CREATE, Map.of("id", 5L), null, Map.of("id", 5L), 5L,
                new Source("s0", new PostgresLsn(12), null, 0), 0));
        send(new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", 7L), null, ShopTopology.userRow(7, 1), 7L,
                new Source("s9", new PostgresLsn(13), null, 0), 0));
        users.pipeInput(SourceRowKey.of(new ChangeEvent("shop", "users", Op.DELETE, Map.of("id", 6L),
                ShopTopology.userRow(6, 1), null, 6L, new Source("s0", new PostgresLsn(14), null, 0), 0)).toBytes(),
                (byte[]) null);
    }

    @Test
    void eachBadRecordIsDeadLetteredOnceWithItsReasonAndRecordedAsPoisonByWhereItWas() {
        start();
        sendBadAndGood();

        List<TestRecord<byte[], byte[]>> letters = driver.createOutputTopic("sf.shop.dlq",
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        assertThat(letters).extracting(r -> header(r, "reason")).satisfiesExactly(
                reason -> assertThat(reason).startsWith("cannot read the record: not a change event"),
                reason -> assertThat(reason).contains("shardKey is null, but the row's id is 5"),
                reason -> assertThat(reason).contains("table coupons is not in keyspace shop"),
                reason -> assertThat(reason).contains("source shard 's9' is not declared"));
        assertThat(letters).extracting(r -> header(r, "source.offset")).containsExactly("0", "1", "3", "4");
        assertThat(letters).allSatisfy(r -> {
            assertThat(header(r, "source.topic")).isEqualTo("sf.shop.cdc.users");
            assertThat(header(r, "component")).isEqualTo("rebalancer poison watch");
            assertThat(r.value()).as("the record as it was, for dlq show").isNotNull();
        });
        List<TestRecord<String, byte[]>> poison = driver.createOutputTopic("sf.shop.poison",
                new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        assertThat(poison).extracting(TestRecord::key).containsExactly("sf.shop.cdc.users/0/0",
                "sf.shop.cdc.users/0/1", "sf.shop.cdc.users/0/3", "sf.shop.cdc.users/0/4");
        assertThat(counts.get("poison_dead_lettered")).isEqualTo(4);
    }

    @Test
    void aWatchReadingFromTheBeginningDoesNotDeadLetterWhatThePoisonTopicHoldsAgain() {
        start();
        sendBadAndGood();
        List<TestRecord<String, byte[]>> recorded = driver.createOutputTopic("sf.shop.poison",
                new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        driver.close();

        // a watch whose offsets are gone reads the same records at the same offsets, its poison store loaded
        start();
        TestInputTopic<String, byte[]> poisonTopic = driver.createInputTopic("sf.shop.poison", new StringSerializer(),
                new ByteArraySerializer());
        recorded.forEach(r -> poisonTopic.pipeInput(r.key(), r.value()));
        sendBadAndGood();
        assertThat(driver.createOutputTopic("sf.shop.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()).isEmpty();
        assertThat(counts.get("poison_known")).isEqualTo(4);
    }

    @Test
    void aChildWithoutItsParentColumnIsDeadLetteredWithTheReason() {
        start();
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", 9_004L);
        row.put("order_id", null);
        ChangeEvent item = new ChangeEvent("shop", "order_items", Op.CREATE, Map.of("id", 9_004L), null, row, null,
                new Source("s0", new PostgresLsn(20), null, 0), 0);
        driver.createInputTopic("sf.shop.cdc.order_items", new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(SourceRowKey.of(item).toBytes(), EventJson.toBytes(item));
        assertThat(driver.createOutputTopic("sf.shop.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()).extracting(r -> header(r, "reason")).containsExactly(
                        "order_items {id=9004}: the parent column order_id is null, so the row has no owner");
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
