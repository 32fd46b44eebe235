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
        Map<String, Object> row = ShopTopology.userRow(id, position);
        row.put("username", username);
        send("users", new ChangeEvent("shop", "users", Op.UPDATE, Map.of("id", id), null, row, id,
                new Source(source, new PostgresLsn(position += 64), null, 0), 0));
    }

    private void order(long id, long userId, String status, Op op) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", userId);
        row.put("total_amount", new BigDecimal("12.50"));
        row.put("status", status);
        send("orders", new ChangeEvent("shop", "orders", op, Map.of("id", id), op == Op.DELETE ? row : null,
                op == Op.DELETE ? null : row, userId, new Source(owner(userId), new PostgresLsn(position += 64), null, 0),
                0));
    }

    private void send(String table, ChangeEvent change) {
        driver.createInputTopic("sf.shop.cdc." + table, new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(SourceRowKey.of(change).toBytes(), EventJson.toBytes(change));
    }

    private List<ChangeEvent> changes() {
        return view.readRecordsToList().stream().map(r -> EventJson.fromBytes(r.value())).toList();
    }

    @Test
    void aViewRowJoinsAnOrderWithItsUserAndFollowsChangesOfEitherSide() {
        user(7, "alice", owner(7));
        order(100, 7, "pending", Op.CREATE);
        assertThat(changes()).singleElement().satisfies(row -> {
            assertThat(row.table()).isEqualTo("order_user_view");
            assertThat(row.key()).isEqualTo(Map.of("order_id", 100L));
            assertThat(row.after()).containsEntry("username", "alice").containsEntry("status", "pending")
                    .containsEntry("user_id", 7L).containsEntry("total_amount", new BigDecimal("12.50"));
            assertThat(row.source().position()).isEqualTo(new PostgresLsn(position));
        });

        user(7, "alice2", owner(7));
        assertThat(changes()).singleElement().satisfies(row -> {
            assertThat(row.after()).containsEntry("username", "alice2").containsEntry("status", "pending");
            assertThat(row.source().position()).isEqualTo(new PostgresLsn(position));
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
}
