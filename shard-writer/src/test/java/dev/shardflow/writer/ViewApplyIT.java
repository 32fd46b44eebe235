package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Views on real targets. A view's own table: its rows are versioned by both their rows, so a change of the joined row
 * alone (a user renamed in the transaction that shipped their order, read after the order) is applied; a table left
 * by a writer that versioned view rows by one stamp is widened and its versions cleared, so the next change applies;
 * a deleted view row is not brought back by an older change. An in-place view ({@code orders.username}): a patch
 * sets its column only when its version is no older than the column's last patch, never creates a row, changes
 * nothing applied again, repairs a value written since with the same version, and leaves the row's own version alone.
 */
class ViewApplyIT {
    private static final String VIEW_TOPIC = "sf.shop.view.order_user_view";
    private static Testbed testbed;
    private static Topology topology;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.withViews(ShopTopology.of(testbed.shards()));
        topics = new ApplyTopics(testbed.kafka());
        topics.create(VIEW_TOPIC, 1); // both engines' writers read it whole, each in its own group
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("shards")
    void aViewRowFollowsEitherOfItsRowsAndATableOfOneStampVersionsIsMigrated(String shardId) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.id().equals(shardId)).findFirst().orElseThrow();
        boolean pg = SqlDialect.of(shard.engine()) == SqlDialect.POSTGRESQL;
        // what an earlier writer left: one-stamp versions, in a BINARY(24) column on MariaDB
        execute(shard, "DROP TABLE IF EXISTS " + ControlTables.TOMBSTONE); // a writer of the other test made one
        execute(shard, "CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status VARCHAR(20), "
                + "_sf_version " + (pg ? "BYTEA" : "BINARY(24)") + " NULL)");
        execute(shard, "CREATE TABLE " + ControlTables.TOMBSTONE + " (tbl VARCHAR(128) NOT NULL, row_key "
                + (pg ? "BYTEA" : "BINARY(32)") + " NOT NULL, version " + (pg ? "BYTEA" : "BINARY(24)")
                + " NOT NULL, PRIMARY KEY (tbl, row_key))");
        try (Connection connection = shard.connect(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO order_user_view (order_id, user_id, username, status, _sf_version) "
                        + "VALUES (600, 6, 'old', 'pending', ?)")) {
            insert.setBytes(1, new VersionStamp(9, new PostgresLsn(1L << 40)).toBytes()); // newer than all below
            insert.executeUpdate();
        }

        WriterOptions options = WriterOptions.defaults(topology, shardId, testbed.kafka().bootstrapServers())
                .withTopics(List.of(VIEW_TOPIC));
        try (WriterService writer = new WriterService(options).start()) {
            topics.send(VIEW_TOPIC, List.of(
                    view(500, "v1", "pending", 1_000, 900),
                    view(500, "v1", "shipped", 2_000, 900), // the order's change, joined with the old user
                    view(500, "v2", "shipped", 2_000, 1_500), // the user's change of the same transaction
                    view(600, "migrated", "shipped", 3_000, 100),
                    view(700, "gone", "pending", 3_000, 100),
                    deleted(700, 4_000, 100),
                    view(700, "gone", "pending", 3_500, 2_000))); // older than the delete
            await("the writer applied " + VIEW_TOPIC).atMost(Duration.ofSeconds(60))
                    .until(() -> topics.caughtUp(options.groupId(), VIEW_TOPIC));
            assertThat(writer.meters().deadLettered()).isZero();
        }

        Map<Long, String> rows = rows(shard);
        assertThat(rows).as("order 500 with its user's new name; order 600 past its one-stamp version; 700 deleted")
                .containsExactlyEntriesOf(new TreeMap<>(Map.of(500L, "v2/shipped", 600L, "migrated/shipped")));
        assertThat(versionLengths(shard, "SELECT _sf_version FROM order_user_view")).containsOnly(
                VersionStamp.VIEW_BYTES);
        assertThat(versionLengths(shard, "SELECT version FROM " + ControlTables.TOMBSTONE)).containsOnly(
                VersionStamp.VIEW_BYTES);
        if (!pg) {
            assertThat(columnType(shard, "order_user_view", "_sf_version")).isEqualTo("varbinary(48)");
            assertThat(columnType(shard, ControlTables.TOMBSTONE, "version")).isEqualTo("varbinary(48)");
        }
    }

    private static ChangeEvent view(long orderId, String username, String status, long orderAt, long userAt) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("order_id", orderId);
        row.put("user_id", orderId / 100);
        row.put("username", username);
        row.put("email", username + "@example.com");
        row.put("country", "DE");
        row.put("total_amount", new BigDecimal("12.50"));
        row.put("status", status);
        return new ChangeEvent("shop", "order_user_view", Op.UPDATE, Map.of("order_id", orderId), null, row,
                orderId / 100, new Source("pg1", new PostgresLsn(orderAt), null, 0), 1,
                new ChangeEvent.Joined(new Source("pg1", new PostgresLsn(userAt), null, 0), 1));
    }

    private static ChangeEvent deleted(long orderId, long orderAt, long userAt) {
        return new ChangeEvent("shop", "order_user_view", Op.DELETE, Map.of("order_id", orderId), null, null,
                orderId / 100, new Source("pg1", new PostgresLsn(orderAt), null, 0), 1,
                new ChangeEvent.Joined(new Source("pg1", new PostgresLsn(userAt), null, 0), 1));
    }

    private static Map<Long, String> rows(DatabaseShard shard) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT order_id, username, status FROM order_user_view")) {
            while (result.next()) {
                rows.put(result.getLong(1), result.getString(2) + "/" + result.getString(3));
            }
        }
        return rows;
    }

    private static List<Integer> versionLengths(DatabaseShard shard, String sql) throws Exception {
        List<Integer> lengths = new java.util.ArrayList<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                byte[] version = result.getBytes(1);
                lengths.add(version == null ? -1 : version.length);
            }
        }
        return lengths;
    }

    private static String columnType(DatabaseShard shard, String table, String column) throws Exception {
        try (Connection connection = shard.connect(); PreparedStatement select = connection.prepareStatement(
                "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                        + "AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
            select.setString(1, table);
            select.setString(2, column);
            try (ResultSet result = select.executeQuery()) {
                return result.next() ? result.getString(1) : null;
            }
        }
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
