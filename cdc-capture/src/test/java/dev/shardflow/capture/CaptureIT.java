package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.ChangeTopicReader.Entry;
import dev.shardflow.core.event.BinlogPosition;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CaptureIT {
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void snapshotThenLiveChangesArriveWithTheirOpKeyImagesAndPerRowOrder(Engine engine) {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine() == engine).findFirst().orElseThrow();
        long base = engine == Engine.POSTGRESQL ? 100 : 200;
        shard.execute(
                "INSERT INTO users (id, username, email, created_at, version) VALUES "
                        + "(" + (base + 1) + ", 'ada', 'ada@example.com', '2025-01-01 10:00:00.250', 1), "
                        + "(" + (base + 2) + ", 'bob', 'bob@example.com', '2025-01-02 10:00:00', 1)",
                "INSERT INTO orders (id, user_id, order_date, total_amount, status, version) VALUES "
                        + "(" + (base + 1) + ", " + (base + 1) + ", '2024-03-01', 19.90, 'pending', 1)");
        Topology topology = ShopTopology.of(List.of(shard));
        String prefix = "sf.shop";
        CaptureOptions options = CaptureOptions.defaults(topology, testbed.kafka().bootstrapServers());

        try (CaptureService capture = new CaptureService(options).start();
                ChangeTopicReader reader = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of(prefix + ".cdc.users", prefix + ".cdc.orders", prefix + ".cdc.order_items",
                                prefix + ".cdc.products"))) {
            await("snapshot of 2 users, 1 order and 12 products").atMost(Duration.ofSeconds(120))
                    .until(() -> events(reader.poll(), shard.id()).stream().filter(e -> e.op() == Op.READ).count() == 15);

            shard.execute(
                    "INSERT INTO users (id, username, email, created_at, version) VALUES "
                            + "(" + (base + 3) + ", 'cy', 'cy@example.com', '2025-01-03 10:00:00', 1)",
                    "UPDATE users SET username = 'ada2', version = 2 WHERE id = " + (base + 1),
                    "UPDATE users SET username = 'ada3', version = 3 WHERE id = " + (base + 1),
                    "DELETE FROM users WHERE id = " + (base + 2),
                    "UPDATE orders SET status = 'shipped', total_amount = 21.00, version = 2 WHERE id = " + (base + 1));

            await("live changes").atMost(Duration.ofSeconds(60))
                    .until(() -> events(reader.poll(), shard.id()).size() == 20);
            List<Entry> entries = reader.poll().stream().filter(e -> e.key().shard().equals(shard.id())).toList();

            List<ChangeEvent> ada = forRow(entries, "users", base + 1);
            assertThat(ada).extracting(ChangeEvent::op).containsExactly(Op.READ, Op.UPDATE, Op.UPDATE);
            assertThat(ada).extracting(e -> e.after().get("version")).containsExactly(1L, 2L, 3L);
            assertThat(ada.get(2).before()).containsEntry("username", "ada2");
            assertThat(ada.get(2).after()).containsEntry("username", "ada3");
            assertThat(ada.get(0).after()).containsEntry("created_at", "2025-01-01T10:00:00.25");
            assertThat(ada.get(0).shardKey()).isEqualTo(base + 1);
            assertThat(ada.get(0).key()).isEqualTo(Map.of("id", base + 1));
            assertThat(ada.get(1).source().position().isAfter(ada.get(0).source().position())
                    || ada.get(0).op() == Op.READ).isTrue();
            assertThat(ada.get(2).source().position().isAfter(ada.get(1).source().position())).isTrue();
            assertThat(ada.get(1).source().position()).isInstanceOf(
                    engine == Engine.POSTGRESQL ? PostgresLsn.class : BinlogPosition.class);

            List<Entry> bob = entries.stream().filter(e -> e.key().key().equals(Map.of("id", base + 2))
                    && (e.event() == null || e.event().table().equals("users"))).toList();
            assertThat(bob).extracting(e -> e.event() == null ? "tombstone" : e.event().op().code())
                    .containsExactly("r", "d", "tombstone");
            assertThat(bob.get(1).event().before()).containsEntry("username", "bob");
            assertThat(bob.get(1).event().after()).isNull();

            assertThat(forRow(entries, "users", base + 3)).extracting(ChangeEvent::op).containsExactly(Op.CREATE);

            List<ChangeEvent> order = forRow(entries, "orders", base + 1);
            assertThat(order).extracting(ChangeEvent::op).containsExactly(Op.READ, Op.UPDATE);
            assertThat(order.get(0).after()).containsEntry("order_date", "2024-03-01");
            assertThat((BigDecimal) order.get(0).after().get("total_amount")).isEqualByComparingTo("19.90");
            assertThat(order.get(1).after()).containsEntry("status", "shipped");
            assertThat(order.get(0).shardKey()).isEqualTo(base + 1);
            assertThat(capture.shard(shard.id()).state()).isEqualTo(ShardCapture.State.RUNNING);

            // A fence marker lands in every partition of every change topic, after every earlier change there.
            shard.execute("INSERT INTO _shardflow_fence (id, epoch, created_at) VALUES ('fence-" + engine
                    + "', 1, '2026-01-01 00:00:00')");
            int partitions = 4 * options.topicPartitions();
            await("fence in every partition").atMost(Duration.ofSeconds(60)).until(() -> reader.poll().stream()
                    .filter(e -> e.event() != null && e.event().isFence() && e.key().shard().equals(shard.id()))
                    .count() == partitions);
            for (Entry fence : reader.poll().stream().filter(e -> e.event() != null && e.event().isFence()
                    && e.key().shard().equals(shard.id())).toList()) {
                assertThat(fence.event().key()).isEqualTo(Map.of("id", "fence-" + engine));
                assertThat(reader.poll()).filteredOn(e -> e.topic().equals(fence.topic())
                                && e.partition() == fence.partition() && e.key().shard().equals(shard.id())
                                && (e.event() == null || !e.event().isMarker()))
                        .allMatch(e -> e.offset() < fence.offset());
            }

            // A column added on the source flows through as a new field of after.
            shard.execute("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)",
                    "INSERT INTO users (id, username, email, created_at, version, nickname) VALUES "
                            + "(" + (base + 4) + ", 'di', 'di@example.com', '2025-01-04 10:00:00', 1, 'dee')");
            await("the new column in after").atMost(Duration.ofSeconds(60))
                    .until(() -> forRow(reader.poll(), "users", base + 4).size() == 1);
            assertThat(forRow(reader.poll(), "users", base + 4).get(0).after()).containsEntry("nickname", "dee");
            assertThat(capture.shard(shard.id()).state()).isEqualTo(ShardCapture.State.RUNNING);
        }
    }

    private static List<ChangeEvent> events(List<Entry> entries, String shard) {
        return entries.stream().filter(e -> e.event() != null && !e.event().isMarker() && e.key().shard().equals(shard))
                .map(Entry::event).toList();
    }

    private static List<ChangeEvent> forRow(List<Entry> entries, String table, long id) {
        return entries.stream()
                .filter(e -> e.event() != null && e.event().table().equals(table)
                        && e.key().key().equals(Map.of("id", id)))
                .sorted(java.util.Comparator.comparingLong(Entry::offset))
                .map(Entry::event).toList();
    }
}
