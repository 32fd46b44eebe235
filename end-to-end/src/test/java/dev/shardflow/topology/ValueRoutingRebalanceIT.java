package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.RetryableRouteException;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.verify.ShardRows;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharding chapter's geographic and time-based routers as shardflow strategies, driving {@link ShardRouter} and a
 * real rebalance end to end on PostgreSQL and MariaDB shards: customers placed by country (a list: the Americas,
 * Europe, Asia), one country moved to a new shard; events placed by year (ranges of dates), one year split onto a new
 * shard. Writes go through the router all along; during the move a scatter-gather count counts each row once; verify
 * is clean before the cutover and over every shard after complete, when each row is on its owner only, at its last
 * acknowledged version. The rows per shard ({@code shardctl topology show --rows}) are those the shards hold, during
 * the move (with its copies noted) and after.
 */
class ValueRoutingRebalanceIT {
    private static final Logger log = LoggerFactory.getLogger(ValueRoutingRebalanceIT.class);
    private static final int ROWS = 600;
    private static final List<String> COUNTRIES = List.of("US", "CA", "MX", "DE", "FR", "GB", "IT", "JP", "IN", "CN");

    enum Scenario {
        /** Americas on pg1, Europe on pg2, Asia on maria1; France moves to pg3. */
        GEOGRAPHIC("customers", "country", "VARCHAR(2)",
                "strategy: {type: list, values: {pg1: [US, CA, MX], pg2: [DE, FR, GB, IT], maria1: [JP, IN, CN]}, "
                        + "default: pg1}",
                "strategy: {type: list, values: {pg1: [US, CA, MX], pg2: [DE, GB, IT], pg3: [FR], "
                        + "maria1: [JP, IN, CN]}, default: pg1}",
                i -> COUNTRIES.get((int) (i % COUNTRIES.size()))),
        /** 2023 on pg1, 2024 on pg2, 2025 on maria1; the second half of 2025 moves to pg3. */
        YEARLY("events", "created", "DATE",
                "strategy: {type: range, keyType: date, ranges: [{below: \"2024-01-01\", shard: pg1}, "
                        + "{below: \"2025-01-01\", shard: pg2}], catchAll: maria1}",
                "strategy: {type: range, keyType: date, ranges: [{below: \"2024-01-01\", shard: pg1}, "
                        + "{below: \"2025-01-01\", shard: pg2}, {below: \"2025-07-01\", shard: maria1}, "
                        + "{below: \"2026-01-01\", shard: pg3}], catchAll: maria1}",
                i -> LocalDate.of(2023, 1, 1).plusDays(i * 7 % 1095));

        final String table;
        final String keyColumn;
        final String keyType;
        final String before;
        final String after;
        final LongFunction<Object> key;

        Scenario(String table, String keyColumn, String keyType, String before, String after,
                LongFunction<Object> key) {
            this.table = table;
            this.keyColumn = keyColumn;
            this.keyType = keyType;
            this.before = before;
            this.after = after;
            this.key = key;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scenario.class)
    void aValueRoutedKeyspaceMovesOneValueToANewShardAndLosesNothing(Scenario scenario) throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).mariadbShards(1).start();
        running.add(testbed);
        try {
            for (DatabaseShard shard : testbed.shards()) {
                shard.execute("CREATE TABLE " + scenario.table + " (id BIGINT PRIMARY KEY, " + scenario.keyColumn
                        + " " + scenario.keyType + " NOT NULL, name VARCHAR(40) NOT NULL, version BIGINT NOT NULL)");
                if (shard.id().startsWith("pg")) {
                    shard.execute("ALTER TABLE " + scenario.table + " REPLICA IDENTITY FULL");
                }
            }
            Topology all = ShopTopology.of(testbed.shards());
            Topology declared = new Topology("shop", 1, all.topicPrefix(), List.of(TableSpec.sharded(scenario.table,
                    List.of("id"), scenario.keyColumn)), all.shards(), all.strategy());
            String yaml = Files.readString(ShopTopology.writeYaml(declared, Scratch.newDirectory("value-routing")));
            assertThat(yaml).contains("strategy: {type: hash}\n");
            String initial = yaml.replace("strategy: {type: hash}", scenario.before);
            String target = yaml.replace("strategy: {type: hash}", scenario.after).replace("epoch: 1", "epoch: 2");
            Topology before = TopologyLoader.parse(initial, "before", Map.of());
            Topology after = TopologyLoader.parse(target, "after", Map.of());
            String bootstrap = testbed.kafka().bootstrapServers();

            TopologyService service = Steps.leadingService(initial, testbed.kafka().connection(), "t1", running);
            ShardRouter router = ShardRouter.builder(before, bootstrap).routerId("app")
                    .fenceWait(Duration.ofSeconds(30)).start();
            running.add(router);
            Map<Long, Long> expected = new ConcurrentHashMap<>();
            for (long id = 1; id <= ROWS; id++) {
                write(router, scenario, id, 1, true);
                expected.put(id, 1L);
            }
            Steps.startPipeline(before, testbed, "value-routing", running);

            Writes writes = new Writes(router, scenario, expected);
            writes.start();
            Rebalance plan = service.plan(new Planner.Request(null, null, null, target));
            log.info("plan ({}): {} of the keys move: {}", scenario, plan.plan().movedFraction(), plan.plan().moves());
            service.perform(plan.id(), Action.START);
            await("copy done").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);
            Thread.sleep(1_000); // writes keep coming during catch-up
            writes.stop();
            await("caught up").atMost(Duration.ofSeconds(60)).until(() -> copiesOnNewShard(testbed, scenario, after)
                    == expected.keySet().stream().filter(id -> after.strategy().ownerOf(scenario.key.apply(id))
                            .equals("pg3")).count());
            long counted = router.query("SELECT COUNT(*) FROM " + scenario.table).rows().get(0).get(0) instanceof Number n
                    ? n.longValue() : -1;
            assertThat(counted).as("a scatter-gather count during the move counts each row once")
                    .isEqualTo(expected.size());
            checkRowCounts(testbed, scenario, service.rows(service.state().orElseThrow(), 0.9), true);

            Rebalance verified = service.verify(plan.id());
            assertThat(verified.state()).as(String.valueOf(verified.verification())).isEqualTo(RebalanceState.VERIFIED);
            Rebalance cut = Steps.cutover(service, plan.id());
            assertThat(cut.state()).isEqualTo(RebalanceState.CUT_OVER);
            await("the router follows the cutover").atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == 2);
            writes.start();
            Thread.sleep(1_000); // and on the new owners, flowing back to the old ones
            writes.stop();
            service.perform(plan.id(), Action.COMPLETE);
            await("complete").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.COMPLETED);

            List<String> problems = layout(testbed, scenario, after, expected);
            VerifyReport everyShard = service.verifyKeyspace(true);
            long countedAfter = ((Number) router.query("SELECT COUNT(*) FROM " + scenario.table).rows().get(0).get(0))
                    .longValue();
            log.info("{}: {} rows written, {} of them moved to pg3, {} writes acknowledged during the move; cutover "
                    + "pause {} ms; problems {}", scenario, expected.size(), copiesOnNewShard(testbed, scenario, after),
                    writes.acknowledged, cut.fences().get(cut.fences().size() - 1).pauseMs(), problems);
            assertThat(problems).as("rows missing, regressed, or on a shard that does not own them").isEmpty();
            checkRowCounts(testbed, scenario, service.rows(service.state().orElseThrow(), 0.9), false);
            ShardRows.Report strict = service.rows(service.state().orElseThrow(), 0.2);
            assertThat(strict.warnings()).as("pg1 holds about 30 %% of the rows, above 20 %%")
                    .anyMatch(w -> w.startsWith("shard pg1 holds ") && w.contains("above the 20 % set"));
            assertThat(everyShard.clean()).as(everyShard.sample().toString()).isTrue();
            assertThat(countedAfter).isEqualTo(expected.size());
            assertThat(copiesOnNewShard(testbed, scenario, after)).as("rows on the new shard").isPositive();
            assertThat(writes.acknowledged).isGreaterThan(50);
        } finally {
            Steps.closeAll(running);
        }
    }

    /** Inserts row {@code id} or sets its version, through the router, by its key. */
    private static void write(ShardRouter router, Scenario scenario, long id, long version, boolean insert)
            throws SQLException {
        Object key = scenario.key.apply(id);
        router.write(key, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(insert
                    ? "INSERT INTO " + scenario.table + " (id, " + scenario.keyColumn + ", name, version) VALUES "
                            + "(?, ?, ?, ?)"
                    : "UPDATE " + scenario.table + " SET name = ?, version = ? WHERE id = ?")) {
                if (insert) {
                    statement.setLong(1, id);
                    statement.setObject(2, key);
                    statement.setString(3, "row " + id);
                    statement.setLong(4, version);
                } else {
                    statement.setString(1, "row " + id + " v" + version);
                    statement.setLong(2, version);
                    statement.setLong(3, id);
                }
                if (statement.executeUpdate() != 1) {
                    throw new SQLException("row " + id + " not found on " + connection.getMetaData().getURL());
                }
            }
            return null;
        });
    }

    /** Two threads inserting new rows and updating old ones through the router, remembering what was acknowledged. */
    private static final class Writes {
        private final ShardRouter router;
        private final Scenario scenario;
        private final Map<Long, Long> expected;
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stop;
        private volatile long nextId = 100_000;
        long acknowledged;

        Writes(ShardRouter router, Scenario scenario, Map<Long, Long> expected) {
            this.router = router;
            this.scenario = scenario;
            this.expected = expected;
        }

        void start() {
            stop = false;
            for (int t = 0; t < 2; t++) {
                Random random = new Random(t);
                int thread = t;
                Thread writer = new Thread(() -> run(random, thread), "value-writes-" + t);
                threads.add(writer);
                writer.start();
            }
        }

        private void run(Random random, int thread) {
            while (!stop) {
                try {
                    if (random.nextInt(4) == 0) {
                        long id;
                        synchronized (this) {
                            id = nextId++;
                        }
                        write(router, scenario, id, 1, true);
                        expected.put(id, 1L);
                    } else {
                        long id = 1 + thread + 2L * random.nextInt(ROWS / 2); // each thread its own rows
                        long version = expected.get(id) + 1;
                        write(router, scenario, id, version, false);
                        expected.put(id, version);
                    }
                    synchronized (this) {
                        acknowledged++;
                    }
                    Thread.sleep(10);
                } catch (RetryableRouteException e) {
                    log.info("write refused, retried: {}", e.getMessage());
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread thread : threads) {
                thread.join(30_000);
                assertThat(thread.isAlive()).isFalse();
            }
            threads.clear();
        }
    }

    /**
     * What {@code shardctl topology show --rows} answers: every shard's rows as the shard counts them, shares that
     * add up to one, no warning below the share set, and during a move a note that the new shard holds copies.
     */
    private static void checkRowCounts(Testbed testbed, Scenario scenario, ShardRows.Report report, boolean moving)
            throws SQLException {
        assertThat(report.shards()).extracting(ShardRows.Shard::shard)
                .containsExactlyInAnyOrder("pg1", "pg2", "pg3", "maria1");
        double shares = 0;
        for (ShardRows.Shard counted : report.shards()) {
            assertThat(counted.error()).isNull();
            assertThat(counted.rows().get(scenario.table)).as(counted.shard())
                    .isEqualTo(shard(testbed, counted.shard()).count(scenario.table));
            shares += counted.share();
        }
        assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(report.warnings()).isEmpty();
        assertThat(report.rebalancing()).isEqualTo(moving);
        assertThat(report.notes().toString().contains("hold copies of the moving rows")).isEqualTo(moving);
        if (moving) {
            assertThat(report.shards()).filteredOn(s -> s.shard().equals("pg3")).extracting(ShardRows.Shard::side)
                    .containsExactly("joining");
        }
    }

    private static long copiesOnNewShard(Testbed testbed, Scenario scenario, Topology after) throws SQLException {
        return rows(shard(testbed, "pg3"), scenario).size();
    }

    /** Every expected row on its owner at its version, and no row anywhere else. */
    private static List<String> layout(Testbed testbed, Scenario scenario, Topology after, Map<Long, Long> expected)
            throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<Long, String> seen = new HashMap<>();
        for (DatabaseShard shard : testbed.shards()) {
            for (Map.Entry<Long, long[]> row : rows(shard, scenario).entrySet()) {
                long id = row.getKey();
                String owner = after.strategy().ownerOf(scenario.key.apply(id));
                if (!owner.equals(shard.id())) {
                    problems.add(scenario.table + "/" + id + " on " + shard.id() + ", owned by " + owner);
                }
                if (seen.put(id, shard.id()) != null) {
                    problems.add(scenario.table + "/" + id + " twice");
                }
                Long version = expected.get(id);
                if (version == null || version != row.getValue()[0]) {
                    problems.add(scenario.table + "/" + id + " at version " + row.getValue()[0] + ", expected "
                            + version);
                }
            }
        }
        expected.keySet().stream().filter(id -> !seen.containsKey(id)).limit(20)
                .forEach(id -> problems.add(scenario.table + "/" + id + " missing"));
        return problems;
    }

    private static Map<Long, long[]> rows(DatabaseShard shard, Scenario scenario) throws SQLException {
        Map<Long, long[]> rows = new HashMap<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, version FROM " + scenario.table)) {
            while (result.next()) {
                rows.put(result.getLong(1), new long[] {result.getLong(2)});
            }
        }
        return rows;
    }

    private static DatabaseShard shard(Testbed testbed, String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
