package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.TopicEnds;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.SchemaHolds;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema changes on the sources while a move runs, from a PostgreSQL and a MariaDB source to a new shard of each
 * engine: a column added during the copy and another during the catch-up, and a type widened, reach both targets —
 * translated between the engines — before the first row that needs them, with nothing dead-lettered; a column dropped
 * holds the move's rows with the reason until an operator drops it on the targets and resumes, and none is lost.
 */
class SchemaChangeMoveIT {
    private static final Logger log = LoggerFactory.getLogger(SchemaChangeMoveIT.class);

    @Test
    void columnsAddedAndATypeWidenedMidCopyAndMidCatchUpReachBothTargetsWithNoDeadLetter() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(2).start();
        running.add(testbed);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", testbed.kafka().bootstrapServers()))) {
            Move move = startMove(testbed, "schema-additive", running);
            for (long id = 1; id <= 2_000; id++) {
                insertUser(testbed, move.before.strategy().ownerOf(id), id, null, "u" + id + "@example.com");
            }
            Rebalance plan = move.service.plan(new Planner.Request(List.of(TextNode.valueOf("pg2"),
                    TextNode.valueOf("maria2")), null, null, null));
            move.service.perform(plan.id(), Action.START);
            assertThat(move.service.rebalance(plan.id()).orElseThrow().state()).isEqualTo(RebalanceState.COPYING);

            // during the copy, on both sources: a nullable column added, and email widened from 100 to 300
            for (String source : List.of("pg1", "maria1")) {
                DatabaseShard shard = Steps.shard(testbed, source);
                shard.execute("ALTER TABLE users ADD COLUMN note VARCHAR(200) NULL",
                        shard.engine() == Engine.POSTGRESQL ? "ALTER TABLE users ALTER COLUMN email TYPE VARCHAR(300)"
                                : "ALTER TABLE users MODIFY email VARCHAR(300) NOT NULL");
            }
            Map<Long, String> notes = new LinkedHashMap<>();
            long from = 10_000;
            for (String source : List.of("pg1", "maria1")) {
                for (String to : List.of("pg2", "maria2")) {
                    for (int i = 0; i < 5; i++) {
                        long id = Steps.movingTo(move.before, move.after, source, to, from);
                        from = id + 1;
                        notes.put(id, "note " + id + " from " + source);
                        insertUser(testbed, source, id, notes.get(id), "e".repeat(250) + id);
                    }
                }
            }
            await("copy done").atMost(Duration.ofSeconds(180)).until(() -> move.service.rebalance(plan.id())
                    .orElseThrow().state() == RebalanceState.CATCHING_UP);

            // during the catch-up: a column with a default added to orders, and orders of moving users that set it
            for (String source : List.of("pg1", "maria1")) {
                Steps.shard(testbed, source).execute("ALTER TABLE orders ADD COLUMN coupon VARCHAR(20) NULL DEFAULT 'none'");
            }
            for (long user : notes.keySet()) {
                String source = move.before.strategy().ownerOf(user);
                Steps.shard(testbed, source).execute("INSERT INTO orders (id, user_id, order_date, total_amount, status, "
                        + "version, coupon) VALUES (" + user + ", " + user + ", '2026-12-01', 10.00, 'pending', 1, "
                        + "'C" + user + "')");
            }

            for (Map.Entry<Long, String> note : notes.entrySet()) {
                DatabaseShard owner = Steps.shard(testbed, move.after.strategy().ownerOf(note.getKey()));
                await("user " + note.getKey() + " with its note and long email on " + owner.id())
                        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> note.getValue().equals(text(owner, "SELECT note FROM users WHERE id = "
                                + note.getKey())) && text(owner, "SELECT email FROM users WHERE id = "
                                + note.getKey()).length() > 250);
                await("order " + note.getKey() + " with its coupon on " + owner.id())
                        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> ("C" + note.getKey()).equals(text(owner, "SELECT coupon FROM orders WHERE id = "
                                + note.getKey())));
            }
            // an index added on both sources: the targets get it, with the rows that go on flowing
            Steps.shard(testbed, "pg1").execute("CREATE INDEX orders_by_coupon ON orders (coupon)");
            Steps.shard(testbed, "maria1").execute("ALTER TABLE orders ADD INDEX orders_by_coupon (coupon)");
            long touched = notes.keySet().iterator().next();
            await("orders_by_coupon on pg2 and maria2").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> {
                        Steps.shard(testbed, move.before.strategy().ownerOf(touched)).execute("UPDATE orders SET "
                                + "total_amount = total_amount + 1, version = version + 1 WHERE id = " + touched);
                        return indexColumns(Steps.shard(testbed, "pg2"), "orders", "orders_by_coupon").equals("coupon")
                                && indexColumns(Steps.shard(testbed, "maria2"), "orders", "orders_by_coupon")
                                        .equals("coupon");
                    });
            for (String target : List.of("pg2", "maria2")) {
                DatabaseShard shard = Steps.shard(testbed, target);
                log.info("{}: users.email {}, orders.coupon default {}", target, columnType(shard, "users", "email"),
                        columnDefault(shard, "orders", "coupon"));
                assertThat(columnType(shard, "users", "email")).as(target + " users.email").containsIgnoringCase("300");
                assertThat(columnDefault(shard, "orders", "coupon")).as(target + " orders.coupon default")
                        .contains("none");
            }
            assertThat(TopicEnds.sum(admin, move.before.topicPrefix() + ".dlq")).as("dead letters").isZero();
        } finally {
            Steps.closeAll(running);
        }
    }

    @Test
    void aColumnDroppedOnASourceHoldsTheMoveWithItsReasonUntilResumedAndLosesNothing() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(1).start();
        running.add(testbed);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", testbed.kafka().bootstrapServers()))) {
            Move move = startMove(testbed, "schema-held", running, "pg2");
            for (long id = 1; id <= 300; id++) {
                insertUser(testbed, move.before.strategy().ownerOf(id), id, null, "u" + id + "@example.com");
            }
            Rebalance plan = move.service.plan(new Planner.Request(List.of(TextNode.valueOf("pg2")), null, null,
                    null));
            move.service.perform(plan.id(), Action.START);
            await("copy done").atMost(Duration.ofSeconds(180)).until(() -> move.service.rebalance(plan.id())
                    .orElseThrow().state() == RebalanceState.CATCHING_UP);

            Steps.shard(testbed, "maria1").execute("ALTER TABLE users DROP COLUMN country");
            List<Long> written = new ArrayList<>();
            long from = 10_000;
            for (int i = 0; i < 5; i++) {
                long id = Steps.movingTo(move.before, move.after, "maria1", "pg2", from);
                from = id + 1;
                insertUser(testbed, "maria1", id, null, "after-drop-" + id + "@example.com");
                written.add(id);
            }
            List<SchemaHolds.Hold> holds = await("the move held behind the dropped column")
                    .atMost(Duration.ofSeconds(60)).until(() -> move.service.schemaHolds(plan.id()), h -> !h.isEmpty());
            log.info("held: {}", holds.stream().map(SchemaHolds.Hold::describe).toList());
            assertThat(holds).allSatisfy(hold -> {
                assertThat(hold.shard()).isEqualTo("pg2");
                assertThat(hold.source()).isEqualTo("maria1");
                assertThat(hold.table()).isEqualTo("users");
                assertThat(hold.reason()).contains("column country dropped or renamed",
                        "ALTER TABLE users DROP COLUMN country");
            });
            DatabaseShard target = Steps.shard(testbed, "pg2");
            for (long id : written) {
                assertThat(text(target, "SELECT email FROM users WHERE id = " + id)).as("user " + id
                        + ", written after the drop, is held back").isNull();
            }
            assertThatThrownBy(() -> move.service.perform(plan.id(), Action.CUTOVER))
                    .hasMessageContaining("held behind schema changes").hasMessageContaining("country");
            assertThatThrownBy(() -> move.service.verify(plan.id())).as("verify, while the shards differ in columns")
                    .hasMessageContaining("verify refused").hasMessageContaining("users.country: missing on maria1");

            target.execute("ALTER TABLE users DROP COLUMN country"); // the operator makes the change on the target
            Rebalance resumed = move.service.perform(plan.id(), Action.RESUME);
            assertThat(resumed.history().get(resumed.history().size() - 1).note()).contains("held schema change");
            for (long id : written) {
                await("user " + id + " on pg2 once resumed").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> ("after-drop-" + id + "@example.com").equals(text(target,
                                "SELECT email FROM users WHERE id = " + id)));
            }
            assertThat(move.service.schemaHolds(plan.id())).isEmpty();
            assertThat(TopicEnds.sum(admin, move.before.topicPrefix() + ".dlq")).as("dead letters").isZero();
        } finally {
            Steps.closeAll(running);
        }
    }

    private record Move(TopologyService service, Topology before, Topology after) {}

    private static Move startMove(Testbed testbed, String purpose, List<AutoCloseable> running) throws Exception {
        return startMove(testbed, purpose, running, "pg2", "maria2");
    }

    /** Starts the pipeline and a topology service of every shard but {@code added}, which a move adds. */
    private static Move startMove(Testbed testbed, String purpose, List<AutoCloseable> running, String... added)
            throws Exception {
        testbed.shards().forEach(SampleSchema::applyTo);
        String all = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()),
                Scratch.newDirectory(purpose)));
        String initial = Planner.plan(all, new Planner.Request(null, List.of(added), null, null))
                .document();
        Topology before = TopologyLoader.parse(initial, "initial", Map.of());
        TopologyService service = Steps.leadingService(initial, testbed.kafka().connection(), purpose, running);
        Steps.startPipeline(before, testbed, purpose, running);
        return new Move(service, before, TopologyLoader.parse(all, "all", Map.of()));
    }

    private static void insertUser(Testbed testbed, String shard, long id, String note, String email) {
        Steps.shard(testbed, shard).execute("INSERT INTO users (id, username, email, created_at, version"
                + (note == null ? "" : ", note") + ") VALUES (" + id + ", 'u" + id + "', '" + email
                + "', '2025-01-01 10:00:00', 1" + (note == null ? "" : ", '" + note + "'") + ")");
    }

    /** The one value a query returns as text, or null without a row (or without the column yet). */
    private static String text(DatabaseShard shard, String sql) {
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            return result.next() ? result.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static String columnType(DatabaseShard shard, String table, String column) throws SQLException {
        try (Connection connection = shard.connect();
                ResultSet columns = connection.getMetaData().getColumns(connection.getCatalog(),
                        connection.getSchema(), table, column)) {
            return columns.next() ? columns.getString("TYPE_NAME") + "(" + columns.getInt("COLUMN_SIZE") + ")" : null;
        }
    }

    /** The columns of {@code table}'s index {@code name}, comma-separated in order; empty without such an index. */
    private static String indexColumns(DatabaseShard shard, String table, String name) throws SQLException {
        java.util.TreeMap<Short, String> columns = new java.util.TreeMap<>();
        try (Connection connection = shard.connect();
                ResultSet rows = connection.getMetaData().getIndexInfo(connection.getCatalog(), connection.getSchema(),
                        table, false, false)) {
            while (rows.next()) {
                if (name.equalsIgnoreCase(rows.getString("INDEX_NAME")) && rows.getString("COLUMN_NAME") != null) {
                    columns.put(rows.getShort("ORDINAL_POSITION"), rows.getString("COLUMN_NAME"));
                }
            }
        }
        return String.join(",", columns.values());
    }

    private static String columnDefault(DatabaseShard shard, String table, String column) throws SQLException {
        try (Connection connection = shard.connect();
                ResultSet columns = connection.getMetaData().getColumns(connection.getCatalog(),
                        connection.getSchema(), table, column)) {
            return columns.next() ? columns.getString("COLUMN_DEF") : null;
        }
    }
}
