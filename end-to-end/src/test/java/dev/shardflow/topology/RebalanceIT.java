package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole rebalance of the shop keyspace from 4 to 5 shards — in the suite, partitioned MariaDB and PostgreSQL
 * sources into a new PostgreSQL shard; other engines by {@link Scenario} — driven through the topology service while
 * an application writes through {@link ShardRouter}: capture, rebalancer and writers all real. Afterwards every
 * acknowledged write is on its key's owner at its last version, no row is left on a shard that does not own it,
 * and the cutover's write pause is reported, for moving keys and for keys that stayed.
 */
class RebalanceIT {
    private static final Logger log = LoggerFactory.getLogger(RebalanceIT.class);
    private static final int USERS = 2_000;

    /**
     * Which shards a scenario runs: the four of the ring, then the one added. The suite runs
     * {@link #PARTITIONED_MIXED}, which moves keys from both engines; {@code -Drebalance.scenarios=all} (or names,
     * comma-separated) runs others. A move into a MariaDB shard runs in the suite's chaos sample
     * ({@code ChaosSampleIT}), plain PostgreSQL moves in most end-to-end tests.
     */
    enum Scenario {
        POSTGRESQL(5, 0, "pg5", false),
        MARIADB(0, 5, "maria5", false),
        /**
         * orders natively partitioned by range of id (MariaDB {@code PARTITION BY RANGE}), a partition added on every
         * shard during the copy
         */
        PARTITIONED_MARIADB(0, 5, "maria5", true),
        /**
         * keys move from MariaDB shards (and PostgreSQL ones) into a new PostgreSQL shard; orders partitioned on both
         * engines (PostgreSQL declarative partitions), a partition added on every shard during the copy
         */
        PARTITIONED_MIXED(3, 2, "pg3", true);

        final int postgres;
        final int mariadb;
        final String added;
        final boolean partitioned;

        Scenario(int postgres, int mariadb, String added, boolean partitioned) {
            this.postgres = postgres;
            this.mariadb = mariadb;
            this.added = added;
            this.partitioned = partitioned;
        }
    }

    static java.util.stream.Stream<Scenario> scenarios() {
        String chosen = System.getProperty("rebalance.scenarios", Scenario.PARTITIONED_MIXED.name());
        return chosen.equalsIgnoreCase("all") ? java.util.Arrays.stream(Scenario.values())
                : java.util.Arrays.stream(chosen.split(",")).map(String::trim).map(Scenario::valueOf);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void fourToFiveShardsUnderWritesLosesNothingAndLeavesNoStrayRow(Scenario scenario) throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(scenario.postgres)
                .mariadbShards(scenario.mariadb).start();
        running.add(testbed);
        testbed.shards().forEach(scenario.partitioned ? SampleSchema::applyPartitionedTo : SampleSchema::applyTo);
        String five = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()),
                Scratch.newDirectory("rebalance")));
        String initial = Planner.plan(five, new Planner.Request(null, List.of(scenario.added), null, null)).document();
        String bootstrap = testbed.kafka().bootstrapServers();
        Topology before = TopologyLoader.parse(initial, "initial", Map.of());
        try {
            TopologyService service = Steps.leadingService(initial, testbed.kafka().connection(), "t1",
                    running);
            ShardRouter router = ShardRouter.builder(before, bootstrap).routerId("app").start();
            running.add(router);
            RouterWorkload workload = new RouterWorkload(router);
            workload.load(1, USERS);
            Topology target = TopologyLoader.parse(five, "five", Map.of());
            VerifyFaults faults = new VerifyFaults(testbed.shards(), before, target, 5_001, 40);
            Map<String, Long> edgeRowsMoving = faults.writeCrossEngineRows();
            log.info("rows with engine-dependent text that move, by source engine: {}", edgeRowsMoving);
            assertThat(edgeRowsMoving).containsKeys(scenario.postgres > 0 && scenario.mariadb == 0 ? "postgresql"
                    : "mariadb");

            Steps.startPipeline(before, testbed, "rebalance", running);
            workload.start(4, 25, 1, USERS / 4);
            running.add(workload);

            // the new shard starts without the reference table: the move gives it the first shard's copy
            DatabaseShard added = testbed.shards().stream().filter(s -> s.id().equals(scenario.added)).findFirst()
                    .orElseThrow();
            added.execute("DELETE FROM products");
            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf(scenario.added)), null, null,
                    null));
            log.info("plan: {} of the keys move: {}", plan.plan().movedFraction(), plan.plan().moves());
            service.perform(plan.id(), Action.START);
            if (scenario.partitioned) {
                addPartitionAndWriteInIt(testbed, workload);
            }
            await("copy done").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);
            Thread.sleep(2_000); // writes keep coming during catch-up
            verifyFindsFaultsUnderWrites(service, plan.id(), faults);
            Rebalance cut = Steps.cutover(service, plan.id());
            assertThat(cut.state()).isEqualTo(RebalanceState.CUT_OVER);
            await("the router follows the cutover").atMost(Duration.ofSeconds(5)).until(() -> router.epoch() == 2);
            Thread.sleep(2_000); // and after cutover, on the new owners, flowing back to the old ones
            service.perform(plan.id(), Action.COMPLETE);
            await("complete").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.COMPLETED);
            workload.close();

            Topology after = TopologyLoader.parse(service.state().orElseThrow().current(), "after", Map.of());
            assertThat(after.epoch()).isEqualTo(2);
            DatabaseShard first = testbed.shards().stream()
                    .filter(s -> s.id().equals(before.strategy().shards().get(0))).findFirst().orElseThrow();
            assertThat(products(added)).as("the reference table on the shard that joined the ring")
                    .hasSize(12).isEqualTo(products(first));
            VerifyReport everyShard = service.verifyKeyspace(true);
            assertThat(everyShard.clean()).as(everyShard.sample().toString()).isTrue();
            List<String> lost = LayoutCheck.problems(testbed.shards(), after, workload.expected().values());
            assertThat(lost).as("acknowledged writes missing or regressed, rows on non-owners").isEmpty();
            Rebalance done = service.rebalance(plan.id()).orElseThrow();
            Rebalance.FenceAttempt fence = done.fences().get(done.fences().size() - 1);
            PauseReport report = PauseReport.of(workload.timings(), fence, key ->
                    !before.strategy().ownerOf(key).equals(after.strategy().ownerOf(key)));
            log.info("rebalance 4 -> 5 ({}): {} writes acknowledged ({} refused, {} in doubt); {}; cutover pause {} ms; "
                    + "router pauses {}", scenario, workload.acknowledged(), workload.refused(), workload.inDoubt(), report,
                    fence.pauseMs(), router.pauses().count());
            assertThat(workload.acknowledged()).isGreaterThan(500);
            assertThat(report.stayingP99DuringMs()).as("keys that stay are not held by the fence")
                    .isLessThan(Math.max(250, report.stayingP99BeforeMs() * 5));
        } finally {
            Steps.closeAll(running);
        }
    }

    /**
     * While the copy runs, a partition for order ids from 1,000,000 is added on every shard, as an operator adds next
     * year's; orders are inserted into it for 300 users (moving and staying), and every third deleted again.
     */
    private static void addPartitionAndWriteInIt(Testbed testbed, RouterWorkload workload) throws Exception {
        for (DatabaseShard shard : testbed.shards()) {
            if (shard.engine() == dev.shardflow.core.topology.Engine.POSTGRESQL) {
                shard.execute("CREATE TABLE orders_late PARTITION OF orders FOR VALUES FROM (1000000) TO (2000000)",
                        "ALTER TABLE orders_late REPLICA IDENTITY FULL");
            } else {
                shard.execute("ALTER TABLE orders ADD PARTITION (PARTITION p_late VALUES LESS THAN (2000000))");
            }
        }
        workload.writeOrdersFrom(1_000_000, java.util.stream.LongStream.rangeClosed(1, 300).boxed().toList());
    }

    /**
     * While the workload writes: a correct move verifies clean; the four faults are found, the orphan only by the
     * verify of every shard; once repaired, the move verifies clean again.
     */
    private static void verifyFindsFaultsUnderWrites(TopologyService service, String id, VerifyFaults faults) {
        Rebalance clean = service.verify(id);
        log.info("verify of the correct move: {}", clean.verification());
        assertThat(clean.verification().clean()).as(clean.verification().sample().toString()).isTrue();
        assertThat(clean.verification().rowsCompared()).isGreaterThan(300);
        assertThat(clean.state()).isEqualTo(RebalanceState.VERIFIED);

        faults.inject();
        Rebalance broken = service.verify(id);
        log.info("verify with faults: {}", broken.verification().sample());
        faults.assertMovingFaultsFound(broken.verification());
        assertThat(broken.state()).as("a verify that finds differences takes the VERIFIED mark away")
                .isEqualTo(RebalanceState.CATCHING_UP);
        assertThatThrownBy(() -> service.perform(id, Action.CUTOVER)).as("no cutover after a dirty verify")
                .isInstanceOf(WorkflowException.class).hasMessageContaining("the last verify found")
                .hasMessageContaining("mismatch");
        VerifyReport all = service.verifyKeyspace(true);
        log.info("verify of every shard with faults: {} rows compared, {}", all.rowsCompared(), all.sample());
        faults.assertOrphanFound(all);

        faults.repair();
        Rebalance repaired = service.verify(id);
        assertThat(repaired.verification().clean()).as(repaired.verification().sample().toString()).isTrue();
        assertThat(repaired.state()).isEqualTo(RebalanceState.VERIFIED);
        assertThat(service.verifyKeyspace(true).clean()).isTrue();
    }

    /** The reference table's rows as text, by id: the same on every shard of the ring. */
    private static Map<Long, String> products(DatabaseShard shard) throws SQLException {
        Map<Long, String> rows = new java.util.TreeMap<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, name, category, price FROM products")) {
            while (result.next()) {
                rows.put(result.getLong(1), result.getString(2) + "|" + result.getString(3) + "|"
                        + result.getBigDecimal(4).stripTrailingZeros().toPlainString());
            }
        }
        return rows;
    }

}
