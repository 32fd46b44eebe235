package dev.shardflow.bench.cutover;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.bench.CpuByThread;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.PauseReport;
import dev.shardflow.topology.RouterWorkload;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * The write pause of a cutover, as an application sees it: a ring of two PostgreSQL and two MariaDB shards, an
 * application writing users and orders through {@link ShardRouter} at a steady rate, and rebalance after rebalance
 * that adds a third PostgreSQL or MariaDB shard (in turn), verifies, cuts over and rolls back — two fences a cycle,
 * each from sources of both engines. Reports the router's own histogram of how long writes to moving keys were held
 * (p50, p99, max over every fence), each fence's pause phase by phase as the topology service measured it, and the
 * latency of writes to keys that stay during the fences against the seconds before them.
 */
public final class CutoverBench {
    private static final int USERS = 2_000;
    private static final int THREADS = 20;
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

    private CutoverBench() {}

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int writesPerSecond = Integer.getInteger("bench.writesPerSecond", 500);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // one histogram over the whole run: no decay, three significant digits
        meters.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().expiry(Duration.ofDays(1)).bufferLength(1)
                        .percentilePrecision(3).build().merge(config);
            }
        });
        List<AutoCloseable> running = new ArrayList<>();
        List<CutoverReport.Fence> fences = new ArrayList<>();
        List<MoveCommits.Window> commitWindows = new ArrayList<>();
        int aborted = 0;
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).mariadbShards(3).start();
                AutoCloseable stopsFirst = () -> closeInReverse(running)) {
            String bootstrap = testbed.kafka().bootstrapServers();
            List<DatabaseShard> shards = testbed.shards();
            shards.forEach(SampleSchema::applyTo);
            String all = Files.readString(ShopTopology.writeYaml(ShopTopology.of(shards),
                    Scratch.newDirectory("cutover")));
            String initial = Planner.plan(all, new Planner.Request(null, List.of("pg3", "maria3"), null, null))
                    .document();
            Topology ring = TopologyLoader.parse(initial, "bench", Map.of());
            TopologyService service = new TopologyService(TopologyServiceOptions.defaults(initial, bootstrap)
                    .withReplicationFactor(1).withInstanceId("bench"), new SimpleMeterRegistry()).start();
            running.add(service);
            awaitTrue("the topology service leads", service::leading);
            // a first cycle warms up every part of this one JVM and is not counted: a router of its own holds its
            // pauses, and the application moves to the measured router after it
            ShardRouter warmUp = ShardRouter.builder(ring, bootstrap).routerId("bench-warm-up").start();
            RouterWorkload workload = new RouterWorkload(warmUp);
            workload.load(1, USERS);
            CaptureOptions capture = CaptureOptions.defaults(ring, bootstrap);
            if (Long.getLong("bench.pollIntervalMs") != null) {
                capture = capture.withEngine(capture.maxBatchSize(), capture.maxQueueSize(),
                        Long.getLong("bench.pollIntervalMs"), capture.snapshotFetchSize());
            }
            System.out.printf(Locale.ROOT, "capture: engine.pollIntervalMs %d%n", capture.pollIntervalMs());
            running.add(new CaptureService(capture).start());
            RebalancerOptions rebalancer = RebalancerOptions.defaults(ring, bootstrap).withReplicationFactor(1)
                    .withStateDir(Scratch.newDirectory("cutover-streams").toString());
            // the settings that trade latency for throughput, to compare: BENCH_OPTS=-Dbench.processingGuarantee=...
            String guarantee = System.getProperty("bench.processingGuarantee");
            if (guarantee != null) {
                rebalancer = rebalancer.withProcessingGuarantee(guarantee);
            }
            if (Long.getLong("bench.commitIntervalMs") != null) {
                rebalancer = rebalancer.withCommitIntervalMs(Long.getLong("bench.commitIntervalMs"));
            }
            if (Long.getLong("bench.bulkCommitIntervalMs") != null) {
                rebalancer = rebalancer.withBulkCommitIntervalMs(Long.getLong("bench.bulkCommitIntervalMs"));
            }
            System.out.printf(Locale.ROOT, "rebalancer: %s, commit interval %d ms, bulk commit interval %d ms%n",
                    rebalancer.processingGuarantee(), rebalancer.commitIntervalMs(), rebalancer.bulkCommitIntervalMs());
            running.add(new RebalancerService(rebalancer).start());
            for (DatabaseShard shard : shards) {
                running.add(new WriterService(WriterOptions.defaults(ring, shard.id(), bootstrap)).start());
            }
            workload.start(THREADS, writesPerSecond / THREADS, 1, USERS / THREADS);
            running.add(workload);
            System.out.printf(Locale.ROOT, "ring pg1, pg2, maria1, maria2; %,d users; the application writes %d "
                    + "times a second through the router; %d cycles of add, verify, cutover, rollback%n", USERS,
                    writesPerSecond, cycles);

            ShardRouter router = null;
            for (int cycle = 0; cycle <= cycles; cycle++) {
                if (cycle == 1) {
                    router = ShardRouter.builder(ring, bootstrap).routerId("bench-app").meterRegistry(meters).start();
                    running.add(router);
                    workload.pause();
                    workload.use(router);
                    workload.resume();
                    warmUp.close();
                }
                ShardRouter routing = cycle == 0 ? warmUp : router;
                String added = cycle % 2 == 1 ? "pg3" : "maria3";
                long cycleStarted = System.nanoTime();
                Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf(added)), null, null, null));
                Topology before = plan.fromTopology();
                Topology after = plan.toTopology();
                LongPredicate moving = key -> !before.strategy().ownerOf(key).equals(after.strategy().ownerOf(key));
                service.perform(plan.id(), Action.START);
                awaitState(service, plan.id(), RebalanceState.CATCHING_UP);
                CpuByThread cpu = CpuByThread.start(CpuByThread::partOf);
                MoveCommits commits = MoveCommits.start(ConsumerGroups.move(rebalancer.applicationId(), plan.id()));
                Thread.sleep(3_000); // the staying keys' latency before the fence, from a move that keeps up
                MoveCommits.Window committing = commits.end();
                if (cycle == cycles) {
                    System.out.print("where the CPU went in the 3 s of catch-up before the last cycle's verify and "
                            + "cutover:\n" + cpu.report());
                }
                verifyClean(service, plan.id());
                Rebalance cut = retrying(() -> service.perform(plan.id(), Action.CUTOVER));
                awaitTrue("the router follows the cutover", () -> routing.epoch() == after.epoch());
                Thread.sleep(3_000);
                Rebalance back = retrying(() -> service.perform(plan.id(), Action.ROLLBACK));
                awaitState(service, plan.id(), RebalanceState.ROLLED_BACK);
                Rebalance done = service.rebalance(plan.id()).orElseThrow();
                if (cycle == 0) {
                    System.out.printf(Locale.ROOT, "warm-up cycle, not counted, took %.1f s; pauses %s%n",
                            (System.nanoTime() - cycleStarted) / 1e9, done.fences().stream()
                                    .map(Rebalance.FenceAttempt::pauseMs).toList());
                    continue;
                }
                for (Rebalance.FenceAttempt attempt : done.fences()) {
                    if (!"committed".equals(attempt.outcome())) {
                        aborted++;
                        System.out.printf(Locale.ROOT, "cycle %d: fence %s %s: %s%n", cycle, attempt.id(),
                                attempt.outcome(), attempt.reason());
                        continue;
                    }
                    CutoverReport.Fence fence = new CutoverReport.Fence(cycle, attempt.reverse() ? "rollback" : "cutover", added, attempt,
                            moving, PauseReport.of(workload.timings(), attempt, moving));
                    fences.add(fence);
                    System.out.println(CutoverReport.line(fence));
                    System.out.print(CutoverReport.copySpread(shards, attempt.id()));
                }
                commitWindows.add(committing);
                System.out.printf(Locale.ROOT, "cycle %d of %d (%s) took %.1f s; states %s then %s; the move's "
                        + "thread in the 3 s of catch-up before the fence: %s%n", cycle, cycles, added,
                        (System.nanoTime() - cycleStarted) / 1e9, cut.state(), back.state(), committing);
            }
            workload.close();
            System.out.println("the move's stream thread while it kept up, over the cycles' 3 s windows before their "
                    + "fences: " + MoveCommits.Window.sum(commitWindows));
            CutoverReport.report(fences, router.pauses(), workload, aborted);
        }
    }

    /** Verifies until a verify is clean: a key written during the verify can differ for a moment (unsettled). */
    private static void verifyClean(TopologyService service, String id) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Rebalance verified = service.verify(id);
            if (verified.verification().clean()) {
                return;
            }
            if (attempt == 5) {
                throw new IllegalStateException("rebalance " + id + " did not verify clean in 5 tries: "
                        + verified.verification().sample());
            }
            Thread.sleep(1_000);
        }
    }

    private interface Step {
        Rebalance run();
    }

    /** A cutover or rollback refused for a moment (the move still behind its lag bound) is asked again. */
    private static Rebalance retrying(Step step) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            try {
                return step.run();
            } catch (WorkflowException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("not yet: " + e.getMessage());
                Thread.sleep(500);
            }
        }
    }

    private static void awaitState(TopologyService service, String id, RebalanceState state)
            throws InterruptedException {
        awaitTrue("rebalance " + id + " " + state, () -> service.rebalance(id).orElseThrow().state() == state);
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void closeInReverse(List<AutoCloseable> running) throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }
}
