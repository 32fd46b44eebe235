package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.writer.jdbc.TargetSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A writer records each fence marker copy it applies with the times the copy passed each stage — capture's send (the
 * record's timestamp), each rebalancer hop (its header), the writer's read — which the topology service turns into a
 * cutover's breakdown; and a target whose table of applied fences predates those columns gets them at start, its
 * rows kept.
 */
class FenceCopyIT {
    private static Testbed testbed;
    private static Topology topology;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
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

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void aFenceCopyIsRecordedWithItsStageTimesOnATableThatLackedTheirColumns(Engine engine) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine() == engine).findFirst().orElseThrow();
        String datetime = engine == Engine.POSTGRESQL ? "TIMESTAMP(3)" : "DATETIME(3)";
        // the table as writers created it before the stage times were recorded, with a copy applied then
        shard.execute("DROP TABLE IF EXISTS " + ControlTables.FENCE_APPLIED,
                "CREATE TABLE " + ControlTables.FENCE_APPLIED + " (source_shard VARCHAR(64) NOT NULL, fence_id "
                        + "VARCHAR(64) NOT NULL, topic VARCHAR(249) NOT NULL, part INT NOT NULL, path VARCHAR(255) NOT "
                        + "NULL, applied_at " + datetime + " NOT NULL DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY "
                        + "(source_shard, fence_id, topic, part, path))",
                "INSERT INTO " + ControlTables.FENCE_APPLIED + " (source_shard, fence_id, topic, part, path) VALUES "
                        + "('s0', 'old-fence', 't', 0, 'p')");
        try (Connection connection = shard.connect()) {
            new TargetSchema(SqlDialect.of(engine)).prepare(connection, List.of("users"), java.util.Set.of(), Map.of(), true);
        }
        assertThat(copies(shard, "old-fence")).containsExactly("null|null|null");

        String topic = "sf.shop.apply." + shard.id() + ".fence";
        topics.create(topic, 1);
        String fenceId = "fence-" + engine.configName();
        ChangeEvent marker = new ChangeEvent("shop", ControlTables.FENCE, Op.CREATE, Map.of("id", fenceId), null,
                Map.of("id", fenceId, "epoch", 2L), null, new Source("s0", new PostgresLsn(64), null, 0), 1);
        long captured = System.currentTimeMillis() - 300;
        String hops = (captured + 100) + "," + (captured + 200);
        long sent = System.currentTimeMillis();
        topics.sendWithHeaders(topic, TableRowKey.of(marker).toBytes(), EventJson.toBytes(marker), captured, Map.of(
                ChangeEvent.FENCE_PATH_HEADER, "sf.shop.cdc.order_items:1>sf.shop.rebalancer.children-by-parent:0",
                ChangeEvent.FENCE_HOPS_HEADER, hops));
        try (WriterService writer = new WriterService(WriterOptions.defaults(topology, shard.id(),
                testbed.kafka().bootstrapServers()).withTopics(List.of(topic)).withGroupId("fence-" + shard.id()))
                .start()) {
            await("the fence copy applied").atMost(Duration.ofSeconds(60)).until(() -> !copies(shard, fenceId)
                    .isEmpty());
        }
        String recorded = copies(shard, fenceId).get(0);
        String[] times = recorded.split("\\|");
        assertThat(times[0]).isEqualTo(Long.toString(captured));
        assertThat(times[1]).isEqualTo(hops);
        assertThat(Long.parseLong(times[2])).as("read by the writer after it was sent").isBetween(sent,
                System.currentTimeMillis());
        assertThat(copies(shard, "old-fence")).as("the copy applied before the columns came").hasSize(1);
    }

    /** Each applied copy of {@code fenceId}: captured|hops|read, "null" where none is recorded. */
    private static List<String> copies(DatabaseShard shard, String fenceId) throws SQLException {
        List<String> copies = new java.util.ArrayList<>();
        try (Connection connection = shard.connect(); PreparedStatement select = connection.prepareStatement(
                "SELECT captured_ms, hops, read_ms FROM " + ControlTables.FENCE_APPLIED + " WHERE fence_id = ?")) {
            select.setString(1, fenceId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    copies.add(rows.getString(1) + "|" + rows.getString(2) + "|" + rows.getString(3));
                }
            }
        }
        return copies;
    }
}
