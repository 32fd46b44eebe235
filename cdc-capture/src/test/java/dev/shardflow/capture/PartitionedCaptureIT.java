package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.ChangeTopicReader.Entry;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Natively partitioned tables, as the sharding chapter partitions {@code orders}, are captured whole: the snapshot,
 * then every live insert, update and delete in every partition — a partition added while capture runs included —
 * arrives as a change of the partitioned table itself, and each delete still says which user the order belonged to.
 */
class PartitionedCaptureIT {
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).mariadbShards(1).start();
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void everyChangeInEveryPartitionIsCapturedAsAChangeOfThePartitionedTable(Engine engine) {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine() == engine).findFirst().orElseThrow();
        SampleSchema.applyPartitionedTo(shard);
        if (engine == Engine.POSTGRESQL) {
            // A publication an operator (or an older capture) made, naming partitions rather than the root.
            shard.execute("CREATE PUBLICATION shardflow_shop FOR TABLE users, orders, order_items, products");
        }
        // one order in each partition before capture starts: the snapshot reads them through the partitioned table
        shard.execute(insertOrder(10, 1), insertOrder(6000, 2), insertOrder(20000, 3));
        Topology topology = ShopTopology.of(List.of(shard));
        CaptureOptions options = CaptureOptions.defaults(topology, testbed.kafka().bootstrapServers());

        try (CaptureService capture = new CaptureService(options).start();
                ChangeTopicReader reader = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of("sf.shop.cdc.orders"))) {
            await("snapshot of 3 orders in 3 partitions").atMost(Duration.ofSeconds(120))
                    .until(() -> orders(reader.poll(), shard).size() == 3);

            shard.execute(insertOrder(11, 4), insertOrder(6001, 5), insertOrder(20001, 6),
                    "UPDATE orders SET status = 'shipped', version = 2 WHERE id = 6000",
                    "DELETE FROM orders WHERE id = 10",
                    "DELETE FROM orders WHERE id = 6001",
                    "DELETE FROM orders WHERE id = 20000");
            String added = engine == Engine.POSTGRESQL
                    ? "CREATE TABLE orders_late PARTITION OF orders FOR VALUES FROM (1000000) TO (2000000)"
                    : "ALTER TABLE orders ADD PARTITION (PARTITION p_late VALUES LESS THAN (2000000))";
            shard.execute(added);
            if (engine == Engine.POSTGRESQL) {
                shard.execute("ALTER TABLE orders_late REPLICA IDENTITY FULL");
            }
            shard.execute(insertOrder(1_000_001, 7), insertOrder(1_000_002, 8),
                    "UPDATE orders SET status = 'delivered', version = 2 WHERE id = 1000001",
                    "DELETE FROM orders WHERE id = 1000002");

            await("every live change, in every partition").atMost(Duration.ofSeconds(60))
                    .until(() -> orders(reader.poll(), shard).size() == 3 + 3 + 4 + 2 + 2);
            List<ChangeEvent> events = orders(reader.poll(), shard);
            assertThat(events).allSatisfy(e -> assertThat(e.table()).isEqualTo("orders"));
            assertThat(opsOf(events, 6000)).containsExactly("r", "u");
            assertThat(opsOf(events, 20000)).containsExactly("r", "d");
            assertThat(opsOf(events, 6001)).containsExactly("c", "d");
            assertThat(opsOf(events, 20001)).containsExactly("c");
            assertThat(opsOf(events, 1_000_001)).containsExactly("c", "u");
            assertThat(opsOf(events, 1_000_002)).containsExactly("c", "d");
            assertThat(events).filteredOn(e -> e.op() == Op.DELETE)
                    .as("each delete carries the order's user, so it can be routed")
                    .allSatisfy(e -> assertThat(e.shardKey()).isEqualTo(e.before().get("user_id")).isNotNull());
            assertThat(capture.shard(shard.id()).state()).isEqualTo(ShardCapture.State.RUNNING);
        }
    }

    /**
     * A partition created while capture runs starts with {@code REPLICA IDENTITY DEFAULT}: a delete in it logs the
     * primary key only, and Debezium fills {@code user_id} with 0. Such a delete goes to the dead-letter topic with
     * the partition and the fix, never to the change topic with a made-up shard key.
     */
    @Test
    void aDeleteInAPartitionCreatedWithoutReplicaIdentityFullIsDeadLetteredNotRoutedByADefault() {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine() == Engine.POSTGRESQL)
                .skip(1).findFirst().orElseThrow();
        SampleSchema.applyPartitionedTo(shard);
        shard.execute(insertOrder(1, 9));
        Topology topology = ShopTopology.of(List.of(shard));
        try (CaptureService capture = new CaptureService(CaptureOptions.defaults(topology,
                        testbed.kafka().bootstrapServers())).start();
                ChangeTopicReader changes = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of("sf.shop.cdc.orders"));
                ChangeTopicReader letters = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of("sf.shop.dlq"))) {
            await("the snapshot").atMost(Duration.ofSeconds(120))
                    .until(() -> orders(changes.poll(), shard).size() == 1);
            shard.execute("CREATE TABLE orders_new PARTITION OF orders FOR VALUES FROM (2000000) TO (3000000)",
                    insertOrder(2_000_001, 9), insertOrder(20, 9),
                    "DELETE FROM orders WHERE id = 2000001", "DELETE FROM orders WHERE id = 20");
            await("the delete in the new partition dead-lettered").atMost(Duration.ofSeconds(60))
                    .until(() -> letters.poll().size() == 1 && opsOf(orders(changes.poll(), shard), 20).size() == 2);
            assertThat(opsOf(orders(changes.poll(), shard), 2_000_001)).containsExactly("c");
            ChangeEvent letter = letters.poll().get(0).event();
            assertThat(letter.key()).isEqualTo(Map.of("id", 2_000_001L));
            assertThat(letter.op()).isEqualTo(Op.DELETE);
            assertThat(capture.shard(shard.id()).state()).isEqualTo(ShardCapture.State.RUNNING);

            // once the partition logs whole rows (the watch reads it again within a second), its deletes flow again
            shard.execute("ALTER TABLE orders_new REPLICA IDENTITY FULL");
            long[] next = {2_000_002};
            await("a delete in the fixed partition reaches the change topic").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        shard.execute(insertOrder(next[0], 9), "DELETE FROM orders WHERE id = " + next[0]);
                        next[0]++;
                        return orders(changes.poll(), shard).stream()
                                .anyMatch(e -> e.op() == Op.DELETE && !e.key().equals(Map.of("id", 20L)));
                    });
            assertThat(orders(changes.poll(), shard)).filteredOn(e -> e.op() == Op.DELETE)
                    .allSatisfy(e -> assertThat(e.shardKey()).isEqualTo(9L));
        }
    }

    @Test
    void partitionsWithoutTheirOwnReplicaIdentityStopTheStartNamingEachPartitionAndItsFix() {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine() == Engine.POSTGRESQL)
                .skip(2).findFirst().orElseThrow();
        SampleSchema.applyPartitionedTo(shard);
        // What an operator naturally runs: it sets the parent's identity, and PostgreSQL leaves the partitions alone.
        shard.execute("ALTER TABLE orders REPLICA IDENTITY FULL",
                "ALTER TABLE orders_low REPLICA IDENTITY DEFAULT",
                "ALTER TABLE orders_rest REPLICA IDENTITY DEFAULT");
        Topology topology = ShopTopology.of(List.of(shard));

        assertThatThrownBy(() -> new CaptureService(CaptureOptions.defaults(topology,
                testbed.kafka().bootstrapServers())).start())
                .hasMessageContaining("shard " + shard.id() + ": partitioned table orders has partitions without "
                        + "REPLICA IDENTITY FULL (orders_low DEFAULT, orders_rest DEFAULT), so its deletes do not "
                        + "carry user_id; ALTER TABLE orders_low REPLICA IDENTITY FULL; "
                        + "ALTER TABLE orders_rest REPLICA IDENTITY FULL")
                .hasMessageNotContaining("orders_mid");
    }

    private static String insertOrder(long id, long userId) {
        return "INSERT INTO orders (id, user_id, order_date, total_amount, status, version) VALUES (" + id + ", "
                + userId + ", '2024-11-24', 10.00, 'pending', 1)";
    }

    private static List<ChangeEvent> orders(List<Entry> entries, DatabaseShard shard) {
        return entries.stream().filter(e -> e.event() != null && !e.event().isMarker()
                        && e.key().shard().equals(shard.id()))
                .sorted(Comparator.comparingLong(Entry::offset)).map(Entry::event).toList();
    }

    private static List<String> opsOf(List<ChangeEvent> events, long id) {
        return events.stream().filter(e -> e.key().equals(Map.of("id", id))).map(e -> e.op().code()).toList();
    }
}
