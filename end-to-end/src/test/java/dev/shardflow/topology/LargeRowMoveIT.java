package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.verify.Mismatch;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
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
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large rows inside a running move, from a PostgreSQL and a MariaDB source to a new shard of each engine, under a
 * keyspace limit of 8 MiB: a 5 MB row written during the copy reaches its new owner whole; a 9 MB row is
 * dead-lettered at capture, the move goes on, and verify reports that row by key with the reason.
 */
class LargeRowMoveIT {
    private static final Logger log = LoggerFactory.getLogger(LargeRowMoveIT.class);
    private static final long LIMIT = 8L * 1024 * 1024;

    @Test
    void aFiveMegabyteRowMovesWholeAndARowOverTheLimitIsReportedByVerifyWithItsReason() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(2).start();
        running.add(testbed);
        try {
            for (DatabaseShard shard : testbed.shards()) {
                SampleSchema.applyTo(shard);
                shard.execute(shard.engine() == Engine.POSTGRESQL ? "ALTER TABLE users ALTER COLUMN email TYPE TEXT"
                        : "ALTER TABLE users MODIFY email LONGTEXT");
            }
            Topology all = ShopTopology.of(testbed.shards()).withMaxRowBytes(LIMIT);
            String four = Files.readString(ShopTopology.writeYaml(all, Scratch.newDirectory("large-rows")));
            String initial = Planner.plan(four, new Planner.Request(null, List.of("pg2", "maria2"), null, null))
                    .document();
            Topology before = TopologyLoader.parse(initial, "initial", Map.of());
            Topology target = TopologyLoader.parse(four, "four", Map.of());
            assertThat(before.maxRowBytes()).isEqualTo(LIMIT);
            String bootstrap = testbed.kafka().bootstrapServers();

            TopologyService service = Steps.leadingService(initial, testbed.kafka().connection(), "large-rows",
                    running);
            running.add(new CaptureService(CaptureOptions.defaults(before, bootstrap).withReplicationFactor(1))
                    .start());
            running.add(new RebalancerService(RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                    .withStateDir(Scratch.newDirectory("large-rows-streams").toString())).start());
            for (DatabaseShard shard : testbed.shards()) {
                running.add(new WriterService(WriterOptions.defaults(before, shard.id(), bootstrap)).start());
            }
            for (long id = 1; id <= 200; id++) {
                insertUser(Steps.shard(testbed, before.strategy().ownerOf(id)), id, 100);
            }

            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf("pg2"),
                    TextNode.valueOf("maria2")), null, null, null));
            service.perform(plan.id(), Action.START);
            // during the move: from each source engine to each new shard, a 1 KB, a 5 MB and a 9 MB row
            Map<Long, Integer> written = new LinkedHashMap<>();
            long from = 1_000;
            for (String source : List.of("pg1", "maria1")) {
                for (String to : List.of("pg2", "maria2")) {
                    for (int bytes : new int[] {1_000, 5_000_000, 9_000_000}) {
                        long id = Steps.movingTo(before, target, source, to, from);
                        from = id + 1;
                        insertUser(Steps.shard(testbed, source), id, bytes);
                        written.put(id, bytes);
                    }
                }
            }
            log.info("rows written during the move, by key and email length: {}", written);
            await("copy done").atMost(Duration.ofSeconds(180))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);
            for (Map.Entry<Long, Integer> row : written.entrySet()) {
                if (row.getValue() > LIMIT) {
                    continue;
                }
                DatabaseShard owner = Steps.shard(testbed, target.strategy().ownerOf(row.getKey()));
                await("user " + row.getKey() + " (" + row.getValue() + " bytes) on " + owner.id())
                        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> emailLength(owner, row.getKey()) == row.getValue());
            }

            VerifyReport report = service.verify(plan.id()).verification();
            log.info("verify: {}", report.details().stream().map(Mismatch::summary).toList());
            List<Long> tooLarge = written.entrySet().stream().filter(e -> e.getValue() > LIMIT).map(Map.Entry::getKey)
                    .toList();
            assertThat(report.details()).extracting(m -> m.kind() + " " + m.key())
                    .containsExactlyInAnyOrderElementsOf(tooLarge.stream().map(id -> "MISSING " + id).toList());
            assertThat(report.details()).allSatisfy(m -> assertThat(m.reason()).as(m.summary())
                    .startsWith("row too large: ").contains("above maxRowBytes (" + LIMIT + ")",
                            "dead-lettered by capture"));
            for (long id : tooLarge) {
                assertThat(emailLength(Steps.shard(testbed, target.strategy().ownerOf(id)), id)).as("user " + id)
                        .isEqualTo(-1);
            }
        } finally {
            Steps.closeAll(running);
        }
    }

    private static void insertUser(DatabaseShard shard, long id, int emailBytes) {
        shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES (" + id + ", 'u" + id
                + "', '" + "x".repeat(emailBytes) + "', '2025-01-01 10:00:00', 1)");
    }

    /** The length of the user's email on {@code shard}, or -1 without such a user. */
    private static long emailLength(DatabaseShard shard, long id) throws SQLException {
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT LENGTH(email) FROM users WHERE id = " + id)) {
            return result.next() ? result.getLong(1) : -1;
        }
    }
}
