package dev.shardflow.bench.chaos;

import dev.shardflow.bench.chaos.ChaosPlan.Ending;
import dev.shardflow.bench.chaos.ChaosPlan.Stage;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.ProcessKafkaCluster;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.RouterWorkload;
import dev.shardflow.topology.workflow.Planner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run on a system of its own: three Kafka broker processes, two PostgreSQL and two MariaDB shards (three
 * in the ring, the plan's fourth joining), the fleet as separate processes, and an application writing users and
 * orders through {@link ShardRouter} all along. The rebalance is driven through the topology services' API to the
 * plan's ending while the plan's faults strike; then the harness's own checks judge the shards.
 */
final class ChaosRun {
    private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
    static final List<String> SHARDS = List.of("pg1", "maria1", "pg2", "maria2");
    static final Duration WORKFLOW_DEADLINE = Duration.ofMinutes(12);
    static final Duration SETTLE_DEADLINE = Duration.ofMinutes(3);

    /**
     * How much the application writes: its users, loaded first, then writer threads at a rate each, and transfers
     * between {@link #BALANCES} users' balances per second.
     */
    record Load(int users, int threads, int writesPerThreadPerSecond, int transfersPerSecond) {
        /** The benchmark's load: 2,000 users, 40 writes/s, 5 transfers/s. */
        static final Load BENCH = new Load(2_000, 4, 10, 5);
        /** The users with a balance to transfer from and to. */
        static final int BALANCES = 200;
    }

    /** A run's outcome: the rebalance's end state, its cutover pause, the application's writes and the verdict. */
    record Result(ChaosPlan plan, String outcome, long pauseMs, boolean forced, long acknowledged, int inDoubt,
            Transfers transfers, ChaosChecks.Verdict verdict, Map<String, Integer> restarts, Duration took,
            String failure) {
        boolean passed() {
            return failure == null && verdict != null && verdict.clean();
        }
    }

    private ChaosRun() {}

    /** The plan of {@code seed} on this harness's system, with partitions where this machine allows them. */
    static ChaosPlan plan(long seed) {
        return plan(seed, Partition.available());
    }

    /** The plan of {@code seed} on this harness's system. */
    static ChaosPlan plan(long seed, boolean partitions) {
        List<String> processes = new ArrayList<>(List.of("capture", "rebalancer", "topology-1", "topology-2"));
        SHARDS.forEach(shard -> processes.add("writer-" + shard));
        ChaosPlan drawn = ChaosPlan.draw(seed, SHARDS, List.of("pg2", "maria2"), processes, 3, partitions);
        // a control run: the same system, rebalance and load, without faults, to tell what faults cause from what
        // the harness's system does on its own
        return Boolean.getBoolean("chaos.control") ? new ChaosPlan(seed, drawn.added(), drawn.ending(), List.of())
                : drawn;
    }

    static Result run(ChaosPlan plan) {
        return run(plan, Load.BENCH);
    }

    static Result run(ChaosPlan plan, Load load) {
        long started = System.nanoTime();
        log.info("chaos run: {}", plan);
        // a run that cuts a process off puts it in a network namespace, and the servers where it reaches them
        Partition partition = plan.partitioned().isPresent() ? Partition.create() : null;
        String host = partition == null ? null : Partition.HOST_ADDRESS;
        CompletableFuture<ProcessKafkaCluster> starting = CompletableFuture.supplyAsync(
                () -> ProcessKafkaCluster.start(3, Map.of(), host == null ? "localhost" : host));
        ProcessKafkaCluster kafka = null;
        Testbed.Builder shards = Testbed.builder().postgresShards(2).mariadbShards(2);
        try (Testbed testbed = (host == null ? shards : shards.shardHost(host)).start()) {
            kafka = starting.join();
            return run(plan, load, testbed, kafka, partition, started);
        } catch (RuntimeException e) {
            log.error("chaos run of seed {} could not run", plan.seed(), e);
            return new Result(plan, "NOT RUN", 0, false, 0, 0, null, null, Map.of(),
                    Duration.ofNanos(System.nanoTime() - started), e.toString());
        } finally {
            if (kafka != null) {
                kafka.close();
            } else {
                starting.thenAccept(ProcessKafkaCluster::close);
            }
            if (partition != null) {
                partition.close();
            }
        }
    }

    /**
     * The rig a chaos run or a soak drives, set up and writing: the fleet over the cluster and the shards (three in
     * the ring, {@code added} to join), {@code order_user_view} on {@code pg1}, and the application loaded and writing
     * through its router at {@code load}'s rate: rows one shard at a time, and transfers across shards.
     */
    record Rig(Path directory, Map<String, DatabaseShard> shards, DatabaseShard viewShard, Topology before,
            Topology after, Fleet fleet, ShardRouter router, RouterWorkload workload, TransferWorkload transfers) {

        /**
         * @param partition where {@code partitioned} runs, or null
         * @param running collects what the caller closes, last first
         */
        static Rig start(Testbed testbed, ProcessKafkaCluster kafka, String added, String name, Load load,
                Partition partition, String partitioned, List<AutoCloseable> running) throws Exception {
            Map<String, DatabaseShard> shards = new LinkedHashMap<>();
            testbed.shards().forEach(shard -> shards.put(shard.id(), shard));
            DatabaseShard viewShard = shards.get("pg1");
            shards.values().forEach(SampleSchema::applyTo);
            TransferWorkload.createTables(shards.values());
            viewShard.execute("CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                    + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status "
                    + "VARCHAR(20))");
            // the new shard starts without the reference table: the move must give it the first shard's copy
            shards.get(added).execute("DELETE FROM products");
            Path directory = Scratch.newDirectory(name);
            Topology shop = ShopTopology.of(List.copyOf(shards.values()));
            List<TableSpec> tables = new ArrayList<>(shop.tables());
            tables.add(TableSpec.sharded("user_balances", List.of("user_id"), "user_id"));
            tables.add(TableSpec.sharded("transfer_logs", List.of("id"), "user_id"));
            String all = Files.readString(ShopTopology.writeYaml(new Topology(shop.keyspace(), shop.epoch(),
                    shop.topicPrefix(), tables, shop.shards(), shop.strategy(), List.of(ShopTopology.VIEWS.get(0)),
                    shop.maxRowBytes()), directory));
            String initial = Planner.plan(all, new Planner.Request(null, List.of(added), null, null)).document();
            Path topologyFile = Files.writeString(directory.resolve("topology.yaml"), initial);
            Topology before = TopologyLoader.parse(initial, "chaos", Map.of());
            Topology after = TopologyLoader.parse(all, "chaos", Map.of());

            Fleet fleet = new Fleet(directory, topologyFile, kafka.bootstrapServers(), SHARDS, viewShard.id(),
                    TopicNames.of(before).prefix(), partition, partitioned);
            running.add(fleet);
            fleet.awaitLeader(Duration.ofMinutes(3));
            ShardRouter router = ShardRouter.builder(before, kafka.connection()).routerId("chaos-app")
                    .fenceWait(Duration.ofSeconds(30)).start();
            running.add(router);
            RouterWorkload workload = new RouterWorkload(router);
            workload.load(1, load.users());
            workload.start(load.threads(), load.writesPerThreadPerSecond(), 1, load.users() / load.threads());
            running.add(workload);
            TransferWorkload transfers = new TransferWorkload(router, Load.BALANCES, load.transfersPerSecond(),
                    before, after, name.hashCode());
            running.add(transfers);
            return new Rig(directory, shards, viewShard, before, after, fleet, router, workload, transfers);
        }

        /** The shards of {@code owner}'s ring. */
        List<DatabaseShard> ring(Topology owner) {
            return owner.shards().stream().filter(s -> owner.strategy().shards().contains(s.id()))
                    .map(s -> shards.get(s.id())).toList();
        }
    }

    private static Result run(ChaosPlan plan, Load load, Testbed testbed, ProcessKafkaCluster kafka,
            Partition partition, long started) {
        List<AutoCloseable> running = new ArrayList<>();
        RouterWorkload workload = null;
        Faults faults = null;
        try {
            Rig system = Rig.start(testbed, kafka, plan.added(), "chaos-" + Long.toUnsignedString(plan.seed(), 36),
                    load, partition, plan.partitioned().orElse(null), running);
            workload = system.workload();
            Fleet fleet = system.fleet();
            Map<String, DatabaseShard> shards = system.shards();
            faults = new Faults(fleet, kafka, shards, partition);
            Driver driver = new Driver(fleet, plan, faults);
            String outcome = driver.drive(WORKFLOW_DEADLINE);
            faults.awaitAll(Duration.ofMinutes(2));
            workload.close();
            system.transfers().close();
            Topology owner = outcome.equals("COMPLETED") ? system.after() : system.before();
            ChaosChecks.Verdict verdict = settle(system, owner);
            if (!verdict.clean() || outcome.equals("STUCK")) {
                keepLogs(plan, system.directory(), kafka);
            }
            return new Result(plan, outcome, driver.pauseMs(), driver.forced(), workload.acknowledged(),
                    workload.inDoubt(), Transfers.of(system.transfers()), verdict, fleet.restarts(), Duration.ofNanos(System.nanoTime() - started),
                    outcome.equals("STUCK") ? "the workflow did not end within " + WORKFLOW_DEADLINE.toMinutes()
                            + " minutes: " + driver.lastState() : null);
        } catch (Exception e) {
            log.error("chaos run of seed {} failed", plan.seed(), e);
            return new Result(plan, "FAILED", 0, false, workload == null ? 0 : workload.acknowledged(),
                    workload == null ? 0 : workload.inDoubt(), null, null, Map.of(),
                    Duration.ofNanos(System.nanoTime() - started), e.toString());
        } finally {
            if (faults != null) {
                faults.healAll();
            }
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    log.warn("closing {} failed: {}", running.get(i), e.toString());
                }
            }
        }
    }

    /**
     * Copies the logs of a failed run — every shardflow process's and every Kafka node's — to
     * {@code bench/target/chaos-logs/seed-<seed>} (or under {@code -Dchaos.logs=DIR}), before the run's scratch
     * directories are removed.
     */
    static void keepLogs(ChaosPlan plan, Path fleet, ProcessKafkaCluster kafka) {
        Path kept = Path.of(System.getProperty("chaos.logs", "bench/target/chaos-logs"), "seed-" + plan.seed());
        try {
            for (Path from : List.of(fleet, kafka.directory())) {
                try (var files = Files.walk(from)) {
                    for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                        Path to = kept.resolve(from.getFileName()).resolve(from.relativize(file));
                        Files.createDirectories(to.getParent());
                        Files.copy(file, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            log.info("chaos: the logs of seed {} are kept in {}", plan.seed(), kept.toAbsolutePath());
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("chaos: cannot keep the logs of seed {}: {}", plan.seed(), e.toString());
        }
    }

    /**
     * Checks until the shards are as they must be or {@link #SETTLE_DEADLINE} passed, and returns the last verdict:
     * views follow their sources asynchronously, so a first look may find them behind.
     */
    static ChaosChecks.Verdict settle(Rig rig, Topology owner) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE_DEADLINE.toNanos();
        while (true) {
            ChaosChecks.Verdict verdict = ChaosChecks.check(rig.shards().values(), rig.ring(owner), owner,
                    rig.workload().expected().values(), rig.transfers(), rig.viewShard());
            if (verdict.clean() || System.nanoTime() > deadline) {
                return verdict;
            }
            Thread.sleep(2_000);
        }
    }

    /** What became of a run's transfers: committed, rolled back or refused, not run, in doubt when they ended. */
    record Transfers(long committed, long rolledBack, long notRun, long inDoubt) {
        static Transfers of(TransferWorkload transfers) {
            return new Transfers(transfers.count(TransferWorkload.Outcome.COMMITTED),
                    transfers.count(TransferWorkload.Outcome.ROLLED_BACK),
                    transfers.count(TransferWorkload.Outcome.NOT_RUN),
                    transfers.count(TransferWorkload.Outcome.IN_DOUBT));
        }
    }

    /** Which stages a run's ending passes, for {@link Driver}. */
    static boolean passes(Ending ending, Stage stage) {
        return ChaosPlan.stages(ending).contains(stage);
    }
}
