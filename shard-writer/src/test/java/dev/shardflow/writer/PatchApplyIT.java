package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Patches of an in-place view ({@code orders.username}) on real targets: a patch sets its column only when its
 * version is no older than the column's last patch, never creates a row, changes nothing applied again, repairs a
 * value written since with the same version, and leaves the row's own version alone.
 */
class PatchApplyIT {
    private static Testbed testbed;
    private static Topology topology;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.withViews(ShopTopology.of(testbed.shards()));
        topics = new ApplyTopics(testbed.kafka());
    }

    @AfterAll
    static void stop() {
        if (topics != null) {
            topics.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    static Stream<String> shards() {
        return Stream.of("pg1", "maria1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shards")
    void patchesKeepTheUsernameOfOrdersUnderTheirOwnVersion(String shardId) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.id().equals(shardId)).findFirst().orElseThrow();
        String topic = "sf.shop.apply." + shardId;
        topics.create(topic, 1);
        WriterOptions options = WriterOptions.defaults(topology, shardId, testbed.kafka().bootstrapServers());
        try (WriterService writer = new WriterService(options).start()) {
            topics.send(topic, List.of(order(10, "old", 1_000), order(11, "old", 1_010),
                    patch(10, "alice", 5_000), patch(99, "nobody", 5_000)));
            awaitApplied(options, topic);
            assertThat(usernames(shard)).containsExactlyInAnyOrderEntriesOf(Map.of(10L, "alice", 11L, "old"));

            topics.send(topic, List.of(patch(10, "older-name", 4_000), patch(11, "alice", 5_000)));
            awaitApplied(options, topic);
            assertThat(usernames(shard)).as("an older patch leaves the newer name")
                    .containsExactlyInAnyOrderEntriesOf(Map.of(10L, "alice", 11L, "alice"));

            execute(shard, "UPDATE orders SET username = 'typo' WHERE id = 11"); // an application writes directly
            topics.send(topic, List.of(patch(11, "alice", 5_000), patch(10, "alice", 5_000)));
            awaitApplied(options, topic);
            assertThat(usernames(shard)).as("the same version repairs a value written since")
                    .containsExactlyInAnyOrderEntriesOf(Map.of(10L, "alice", 11L, "alice"));

            topics.send(topic, List.of(order(10, "from-the-row", 1_020), patch(10, "bob", 6_000)));
            awaitApplied(options, topic);
            assertThat(usernames(shard)).as("a patch after a change of the row in one batch")
                    .containsEntry(10L, "bob");
            assertThat(writer.meters().deadLettered()).isZero();
        }
        assertThat(TableChecksum.read(shard, "orders")).doesNotContainKey(99L);
        assertThat(rowVersionsAreTheRowsOwn(shard)).isTrue();
    }

    private static void awaitApplied(WriterOptions options, String topic) {
        await("the writer applied " + topic).atMost(Duration.ofSeconds(60))
                .until(() -> topics.caughtUp(options.groupId(), topic));
    }

    private static ChangeEvent order(long id, String username, long position) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", 1L);
        row.put("order_date", "2024-05-01");
        row.put("total_amount", "12.50");
        row.put("status", "pending");
        row.put("username", username);
        row.put("version", 1L);
        return new ChangeEvent("shop", "orders", Op.UPDATE, Map.of("id", id), null, row, 1L,
                new Source("src", new PostgresLsn(position), null, 0), 1);
    }

    private static ChangeEvent patch(long orderId, String username, long userPosition) {
        return new ChangeEvent("shop", "orders", Op.PATCH, Map.of("id", orderId), null, Map.of("username", username),
                1L, new Source("users-owner", new PostgresLsn(userPosition), null, 0), 1);
    }

    private static Map<Long, Object> usernames(DatabaseShard shard) {
        Map<Long, Object> names = new LinkedHashMap<>();
        TableChecksum.read(shard, "orders").forEach((id, row) -> names.put(id, row.get("username")));
        return names;
    }

    /** True if every order's {@code _sf_version} is the version of its own last change, not of a patch. */
    private static boolean rowVersionsAreTheRowsOwn(DatabaseShard shard) throws Exception {
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                var result = statement.executeQuery("SELECT id, _sf_version FROM orders ORDER BY id")) {
            while (result.next()) {
                long position = result.getLong(1) == 10 ? 1_020 : 1_010;
                byte[] expected = dev.shardflow.core.event.VersionStamp.of(order(result.getLong(1), "", position))
                        .toBytes();
                if (!java.util.Arrays.equals(expected, result.getBytes(2))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void execute(DatabaseShard shard, String sql) throws Exception {
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
