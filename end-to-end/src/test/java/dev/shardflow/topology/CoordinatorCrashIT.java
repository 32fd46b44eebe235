package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharding chapter's {@code transfer_user_data}, 1,000 transfers between users on PostgreSQL and MariaDB shards,
 * coordinated by a separate process ({@link TransferCoordinator}, 32 threads) that is SIGKILLed four times mid-flight — twice
 * before a rebalance, once during its move, and once right before its cutover, which then runs while the dead
 * coordinator's branches are in doubt — and started again each time. The topology service finishes what each
 * crashed coordinator left. Afterwards no prepared transaction is left on any shard, the sum of the balances is
 * unchanged, every transfer is on both sides or on neither, every acknowledged one is on both and every refused one on
 * neither, each row is on its owner only, and verify is clean.
 *
 * <p>At most one MariaDB shard takes part in any transfer, so no XA branch is used: the binlog carries an XA branch's
 * rows at prepare, and one rolled back after it would leave changes in the topics that never committed
 * (router/README.md).
 */
class CoordinatorCrashIT {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorCrashIT.class);
    private static final int TRANSFERS = 1_000;
    private static final int USERS = 300;
    private static final long BALANCE = 1_000;
    /** Users 1 to 30 start with little, so that some transfers are refused for want of money. */
    private static final int POOR = 30;
    private static final long LITTLE = 20;
    private static final int THREADS = 32;
    private static final int PER_SECOND = 150;
    private static final long SEED = 22;

    private Testbed testbed;
    private Path dir;
    private Process coordinator;
    private int launches;

    @Test
    void killedCoordinatorsLeaveNoPreparedTransactionAndNoMoneyLostAcrossACutover() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).mariadbShards(1).start();
        running.add(testbed);
        dir = Scratch.newDirectory("coordinator-crash");
        try {
            for (DatabaseShard shard : testbed.shards()) {
                shard.execute("CREATE TABLE user_balances (user_id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                        "CREATE TABLE transfer_logs (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, from_user BIGINT "
                                + "NOT NULL, to_user BIGINT NOT NULL, amount BIGINT NOT NULL, type VARCHAR(10) NOT NULL)");
                if (shard.id().startsWith("pg")) { // deletes (cleanup's) must carry the shard key
                    shard.execute("ALTER TABLE transfer_logs REPLICA IDENTITY FULL");
                }
            }
            Topology all = ShopTopology.of(testbed.shards());
            Topology declared = new Topology(all.keyspace(), 0, all.topicPrefix(), List.of(
                    TableSpec.sharded("user_balances", List.of("user_id"), "user_id"),
                    TableSpec.sharded("transfer_logs", List.of("id"), "user_id")), all.shards(), all.strategy());
            String four = Files.readString(ShopTopology.writeYaml(declared, dir));
            String initial = Planner.plan(four, new Planner.Request(null, List.of("pg3"), null, null)).document();
            Files.writeString(dir.resolve("topology.yaml"), initial);
            Topology before = TopologyLoader.parse(initial, "initial", Map.of());
            for (long user = 1; user <= USERS; user++) {
                shard(before.strategy().ownerOf(user)).execute("INSERT INTO user_balances VALUES (" + user + ", "
                        + (user <= POOR ? LITTLE : BALANCE) + ")");
            }
            long sumBefore = POOR * LITTLE + (USERS - POOR) * BALANCE;
            assertThat(balanceSum(before)).isEqualTo(sumBefore);

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            TopologyService service = new TopologyService(TopologyServiceOptions.defaults(initial,
                    testbed.kafka().connection()).withReplicationFactor(1).withInstanceId("crash")
                    .withWorkflow(dev.shardflow.topology.workflow.WorkflowSettings.defaults("shop")
                            .withFenceTimeout(Duration.ofSeconds(40))
                            .withTransactionRecoveryAge(Duration.ofSeconds(5))), meters).start();
            running.add(service);
            await("the service leads").atMost(Duration.ofSeconds(90)).until(service::leading);
            Steps.startPipeline(before, testbed, "crash", running);

            launch();
            killWhen(() -> attempted() >= 120, "kill 1");
            launch();
            killWhen(() -> attempted() >= 240, "kill 2");

            launch();
            await("transfers under way").atMost(Duration.ofSeconds(60)).until(() -> attempted() >= 280);
            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf("pg3")), null, null, null));
            service.perform(plan.id(), Action.START);
            killWhen(() -> attempted() >= 330, "kill 3, during the move");
            log.info("kill 3 came in state {}", service.rebalance(plan.id()).orElseThrow().state());

            await("copy done").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);
            launch();
            killWhen(() -> attempted() >= 480, "kill 4, right before the cutover");
            launch();
            Rebalance cut = cutover(service, plan.id());
            assertThat(cut.state()).isEqualTo(RebalanceState.CUT_OVER);
            await("the last coordinator finishes the transfers").atMost(Duration.ofSeconds(180))
                    .until(() -> journal().contains("END"));
            assertThat(coordinator.waitFor()).as("the last coordinator's exit").isZero();

            service.perform(plan.id(), Action.COMPLETE);
            await("complete").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.COMPLETED);
            Topology after = TopologyLoader.parse(service.state().orElseThrow().current(), "after", Map.of());
            assertThat(after.epoch()).isEqualTo(2);
            await("no prepared transaction left on any shard").atMost(Duration.ofSeconds(60))
                    .until(() -> prepared().isEmpty());

            Outcomes outcomes = Outcomes.read(journal());
            Map<Long, Integer> logRows = logRowsByTransfer(after);
            Set<Long> committed = new HashSet<>();
            List<Long> half = new ArrayList<>();
            logRows.forEach((n, rows) -> {
                if (rows == 2) {
                    committed.add(n);
                } else {
                    half.add(n);
                }
            });
            long sumAfter = balanceSum(after);
            double recoveredCommits = meters.get("shardflow.topology.transactions.recovered").tag("outcome", "commit")
                    .counter().count();
            double recoveredAborts = meters.get("shardflow.topology.transactions.recovered").tag("outcome", "abort")
                    .counter().count();
            Rebalance done = service.rebalance(plan.id()).orElseThrow();
            log.info("coordinator crash: {} transfers attempted over {} coordinator processes ({} SIGKILLed); {} "
                    + "committed ({} acknowledged, {} cut short by a kill), {} rolled back ({} refused, {} cut short); "
                    + "{} in doubt, {} other errors; recovery by the topology service: {} branches committed, {} rolled "
                    + "back; balance sum before {}, after {}; cutover pause {} ms; errors: {}", outcomes.started.size(),
                    launches,
                    launches - 1, committed.size(), outcomes.committed.size(),
                    committed.size() - outcomes.committed.size(), outcomes.started.size() - committed.size(),
                    outcomes.aborted.size(), outcomes.started.size() - committed.size() - outcomes.aborted.size(),
                    outcomes.inDoubt.size(), outcomes.errors, (long) recoveredCommits, (long) recoveredAborts,
                    sumBefore, sumAfter, done.fences().get(done.fences().size() - 1).pauseMs(), outcomes.errorKinds);

            assertThat(outcomes.started).as("transfers attempted").hasSize(TRANSFERS);
            assertThat(half).as("transfers on one side only").isEmpty();
            assertThat(committed).as("every acknowledged transfer is on both sides")
                    .containsAll(outcomes.committed);
            assertThat(committed.stream().filter(outcomes.aborted::contains).toList()).as("refused transfers found")
                    .isEmpty();
            assertThat(outcomes.started).as("no transfer that never started is anywhere").containsAll(committed);
            assertThat(sumAfter).as("the sum of the balances").isEqualTo(sumBefore);
            assertThat(negativeBalances(after)).isZero();
            assertThat(strayRows(after)).as("rows on a shard that does not own them, or owned twice").isEmpty();
            VerifyReport verify = service.verifyKeyspace(true);
            assertThat(verify.clean()).as(verify.sample().toString()).isTrue();
        } finally {
            if (coordinator != null) {
                coordinator.destroyForcibly();
            }
            Steps.closeAll(running);
        }
    }

    /** A forced cutover (verify runs at the end, once nothing writes), tried until the lag allows it. */
    private static Rebalance cutover(TopologyService service, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                return service.perform(id, Action.CUTOVER, true);
            } catch (WorkflowException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                log.info("cutover not yet: {}", e.getMessage());
                Thread.sleep(500);
            }
        }
    }

    private void launch() throws IOException {
        Outcomes so = Outcomes.read(journal());
        long first = so.started.isEmpty() ? 0 : so.started.stream().mapToLong(Long::longValue).max().getAsLong() + 1;
        long count = TRANSFERS - so.started.size();
        launches++;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        coordinator = new ProcessBuilder(java.toString(), "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                TransferCoordinator.class.getName(), dir.resolve("topology.yaml").toString(),
                testbed.kafka().bootstrapServers(), "coordinator-" + launches, String.valueOf(first),
                String.valueOf(count), String.valueOf(THREADS), String.valueOf(PER_SECOND), String.valueOf(USERS),
                String.valueOf(SEED), dir.resolve("journal-" + launches + ".txt").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("coordinator-" + launches + ".log").toFile())
                .start();
        log.info("coordinator {} started: transfers from {}, {} of them", launches, first, count);
    }

    private void killWhen(BooleanSupplier condition, String what) throws Exception {
        await(what).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!coordinator.isAlive()) {
                throw new AssertionError("coordinator " + launches + " ended before " + what + " (exit "
                        + coordinator.exitValue() + "); see " + dir.resolve("coordinator-" + launches + ".log"));
            }
            return condition.getAsBoolean();
        });
        coordinator.destroyForcibly().waitFor(); // SIGKILL
        Outcomes so = Outcomes.read(journal());
        log.info("{}: SIGKILLed coordinator {}; {} transfers attempted so far, {} of them without an outcome", what,
                launches, so.started.size(), so.started.size() - so.committed.size() - so.aborted.size()
                        - so.inDoubt.size() - so.errors);
    }

    private long attempted() {
        try {
            return Outcomes.read(journal()).started.size();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The journals of every coordinator so far, one after the other (each its own file: a kill may cut a line). */
    private String journal() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int n = 1; n <= launches; n++) {
            Path file = dir.resolve("journal-" + n + ".txt");
            if (Files.exists(file)) {
                all.append(Files.readString(file)).append('\n');
            }
        }
        return all.toString();
    }

    /** What the journal says of each transfer. */
    private static final class Outcomes {
        final Set<Long> started = new HashSet<>();
        final Set<Long> committed = new HashSet<>();
        final Set<Long> aborted = new HashSet<>();
        final Set<Long> inDoubt = new HashSet<>();
        int errors;
        final Set<String> errorKinds = new java.util.TreeSet<>();

        static Outcomes read(String journal) {
            Outcomes outcomes = new Outcomes();
            for (String line : journal.split("\n")) {
                String[] fields = line.split(" ", 3);
                if (fields.length < 2) {
                    continue;
                }
                long n;
                try {
                    n = Long.parseLong(fields[1]);
                } catch (NumberFormatException e) {
                    continue; // a line a SIGKILL cut in two
                }
                switch (fields[0]) {
                    case "S" -> outcomes.started.add(n);
                    case "C" -> outcomes.committed.add(n);
                    case "A" -> outcomes.aborted.add(n);
                    case "D" -> outcomes.inDoubt.add(n);
                    case "E" -> {
                        outcomes.errors++;
                        if (fields.length > 2) {
                            outcomes.errorKinds.add(fields[2].replaceAll("[0-9]+", "N"));
                        }
                    }
                    default -> { }
                }
            }
            return outcomes;
        }
    }

    private long balanceSum(Topology topology) throws SQLException {
        long sum = 0;
        for (String id : topology.strategy().shards()) {
            for (Map.Entry<Long, Long> row : rows(id, "SELECT user_id, balance FROM user_balances").entrySet()) {
                if (topology.strategy().ownerOf(row.getKey()).equals(id)) {
                    sum += row.getValue();
                }
            }
        }
        return sum;
    }

    private long negativeBalances(Topology topology) throws SQLException {
        long negative = 0;
        for (String id : topology.strategy().shards()) {
            negative += rows(id, "SELECT user_id, balance FROM user_balances WHERE balance < 0").size();
        }
        return negative;
    }

    /** Per transfer, how many of its two log rows are on their owners. */
    private Map<Long, Integer> logRowsByTransfer(Topology topology) throws SQLException {
        Map<Long, Integer> rows = new HashMap<>();
        for (String id : topology.strategy().shards()) {
            for (Map.Entry<Long, Long> row : rows(id, "SELECT id, user_id FROM transfer_logs").entrySet()) {
                if (topology.strategy().ownerOf(row.getValue()).equals(id)) {
                    rows.merge(row.getKey() / 2, 1, Integer::sum);
                }
            }
        }
        return rows;
    }

    /** Every balance or log row found on a shard that does not own it, or found twice. */
    private List<String> strayRows(Topology topology) throws SQLException {
        List<String> stray = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (DatabaseShard shard : testbed.shards()) {
            for (Map.Entry<Long, Long> row : rows(shard.id(), "SELECT user_id, user_id FROM user_balances").entrySet()) {
                check(topology, shard.id(), "user_balances/" + row.getKey(), row.getValue(), seen, stray);
            }
            for (Map.Entry<Long, Long> row : rows(shard.id(), "SELECT id, user_id FROM transfer_logs").entrySet()) {
                check(topology, shard.id(), "transfer_logs/" + row.getKey(), row.getValue(), seen, stray);
            }
        }
        return stray;
    }

    private static void check(Topology topology, String shard, String row, long user, Set<String> seen,
            List<String> stray) {
        if (!topology.strategy().ownerOf(user).equals(shard)) {
            stray.add(row + " on " + shard);
        }
        if (!seen.add(row)) {
            stray.add(row + " twice");
        }
    }

    /** The first two columns of every row, as numbers. */
    private Map<Long, Long> rows(String shard, String sql) throws SQLException {
        Map<Long, Long> rows = new HashMap<>();
        try (Connection connection = shard(shard).connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                rows.put(result.getLong(1), result.getLong(2));
            }
        }
        return rows;
    }

    /** The prepared transactions every shard holds, as the databases list them. */
    private List<String> prepared() throws SQLException {
        List<String> found = new ArrayList<>();
        for (DatabaseShard shard : testbed.shards()) {
            String sql = shard.id().startsWith("pg") ? "SELECT gid FROM pg_prepared_xacts" : "XA RECOVER";
            try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    found.add(shard.id() + " " + rows.getString(shard.id().startsWith("pg") ? "gid" : "data"));
                }
            }
        }
        return found;
    }

    private DatabaseShard shard(String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
