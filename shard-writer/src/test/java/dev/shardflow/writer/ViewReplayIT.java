package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.writer.replay.ReplayReport;
import dev.shardflow.writer.replay.ViewReplay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A view's table rebuilt from its compacted topic after it was lost: every view row as the topic last has it (the
 * updated ones at their last image, the deleted ones gone), checked against the topic, and a second replay changes
 * nothing.
 */
class ViewReplayIT {
    private static final String TOPIC = "sf.shop.view.order_user_view";
    /** The version of the joined user row, the same in every change here: only the orders change. */
    private static final ChangeEvent.Joined USER = new ChangeEvent.Joined(new Source("pg1", new PostgresLsn(64), null,
            0), 0);
    private static Testbed testbed;
    private static Topology topology;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).start();
        topology = ShopTopology.withViews(ShopTopology.of(testbed.shards()));
        topics = new ApplyTopics(testbed.kafka());
        topics.create(TOPIC, 3);
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

    @Test
    void aLostViewTableIsRebuiltFromItsTopic() throws Exception {
        long position = 1_000;
        List<ChangeEvent> history = new ArrayList<>();
        for (long order = 1; order <= 500; order++) {
            history.add(row(order, "user" + order, position += 64));
        }
        for (long order = 1; order <= 100; order++) {
            history.add(row(order, "renamed" + order, position += 64));
        }
        for (long order = 451; order <= 500; order++) {
            history.add(new ChangeEvent("shop", "order_user_view", Op.DELETE, Map.of("order_id", order), null, null,
                    order, new Source("pg1", new PostgresLsn(position += 64), null, 0), 0, USER));
        }
        topics.send(TOPIC, history);
        DatabaseShard target = testbed.postgres().get(0);
        target.execute("CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status VARCHAR(20))");

        ReplayReport first = replay(target);
        assertThat(first.applied()).as("the last change of each of the 500 rows").isEqualTo(500);
        assertThat(first.superseded()).as("100 renamed, 50 deleted").isEqualTo(150);
        assertThat(first.clean()).as(first.sample().toString()).isTrue();
        Map<Long, Map<String, Object>> rows = viewRows(target);
        assertThat(rows).hasSize(450).doesNotContainKeys(451L, 500L);
        assertThat(rows.get(7L)).containsEntry("username", "renamed7").containsEntry("country", "X ");
        assertThat(rows.get(300L)).containsEntry("username", "user300");

        ReplayReport second = replay(target);
        assertThat(second.clean()).isTrue();
        assertThat(viewRows(target)).as("a second replay changes nothing")
                .isEqualTo(rows);

        target.execute("UPDATE order_user_view SET username = 'tampered' WHERE order_id = 8");
        ReplayReport repaired = replay(target);
        assertThat(viewRows(target).get(8L)).containsEntry("username", "tampered");
        assertThat(repaired.mismatches()).as("a row changed behind the topic's back is reported").isEqualTo(1);
        assertThat(repaired.sample()).singleElement().asString().contains("order_user_view 8");
    }

    /** The view's rows by order id: every column but shardflow's own, as JDBC reads them. */
    private static Map<Long, Map<String, Object>> viewRows(DatabaseShard shard) throws java.sql.SQLException {
        Map<Long, Map<String, Object>> rows = new java.util.TreeMap<>();
        try (java.sql.Connection connection = shard.connect(); java.sql.Statement statement =
                connection.createStatement(); java.sql.ResultSet result = statement.executeQuery(
                        "SELECT order_id, user_id, username, email, country, total_amount, status FROM order_user_view")) {
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= 7; i++) {
                    row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
                }
                rows.put(result.getLong(1), row);
            }
        }
        return rows;
    }

    private static ReplayReport replay(DatabaseShard target) throws InterruptedException {
        return new ViewReplay(topology, "order_user_view", topology.shard(target.id()).orElseThrow(),
                testbed.kafka().connection(), 0).run(progress -> { });
    }

    private static ChangeEvent row(long order, String username, long position) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("order_id", order);
        row.put("user_id", order);
        row.put("username", username);
        row.put("email", username + "@example.com");
        row.put("country", order % 2 == 0 ? null : "X");
        row.put("total_amount", new java.math.BigDecimal("12.50"));
        row.put("status", "pending");
        return new ChangeEvent("shop", "order_user_view", Op.UPDATE, Map.of("order_id", order), null, row, order,
                new Source("pg1", new PostgresLsn(position), null, 0), 0, USER);
    }
}
