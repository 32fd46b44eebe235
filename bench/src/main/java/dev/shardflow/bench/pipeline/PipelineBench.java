package dev.shardflow.bench.pipeline;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.bench.CpuByThread;
import dev.shardflow.bench.Headlines;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.rebalancer.RebalancerSettings;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.TopicEnds;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.workload.RawUsers;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The backfill end to end: four source shards of one engine hold {@code users} rows, capture has put them into the
 * change topics, and a fifth shard joins the ring as in the quickstart; from the rebalance's start until the new
 * shard holds every moving row, through the topology service, the rebalancer's move and the new shard's writers.
 * Its rate in moving rows/s is set next to a plain batched upsert of the same rows into the same target database,
 * measured before and after the move in the same run. The move starts once the rebalancer's views have read the change
 * topics, as on a running system. It runs with one rebalancer and one writer, then with two of
 * each (scale-out), and says where the time and the CPU went.
 */
public final class PipelineBench {
    private static final List<int[]> LAYOUTS = List.of(new int[] {1, 1}, new int[] {2, 2});

    private record Result(String engine, int rebalancers, int writers, long moved, double raw, double backfill,
            double copySeconds, double seconds) {}

    private PipelineBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        String engines = args.length > 1 ? args[1] : "postgresql,mariadb";
        List<int[]> layouts = args.length > 2 ? java.util.Arrays.stream(args[2].split(",")).map(l -> new int[] {
            Integer.parseInt(l.split("x")[0]), Integer.parseInt(l.split("x")[1])}).toList() : LAYOUTS;
        List<Result> results = new ArrayList<>();
        // every part of the system runs in this JVM: a first move of the same size compiles their code, so that the
        // measured ones do not pay the JIT compiler on the same two cores (as long-running services do not)
        Engine first = engines.contains("postgresql") ? Engine.POSTGRESQL : Engine.MARIADB;
        System.out.printf(Locale.ROOT, "warm-up: a move of %,d rows, not counted%n", rows);
        run(first, rows, 1, 1, false);
        for (Engine engine : List.of(Engine.POSTGRESQL, Engine.MARIADB)) {
            if (engines.contains(engine.configName())) {
                for (int[] layout : layouts) {
                    results.add(run(engine, rows, layout[0], layout[1], true));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%,d users rows on 4 shards, a fifth joins%n", rows);
        System.out.printf(Locale.ROOT, "%-11s %-22s %10s %16s %16s %8s %16s%n", "engine", "layout", "moving",
                "raw upsert/s", "backfill/s", "ratio", "move read all in");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-11s %-22s %,10d %,16.0f %,16.0f %7.0f%% %13.1f s of %.1f s%n",
                    r.engine(), r.rebalancers() + " rebalancer, " + r.writers() + " writer", r.moved(), r.raw(),
                    r.backfill(), 100 * r.backfill() / r.raw(), r.copySeconds(), r.seconds());
        }
        for (Result r : results) {
            String prefix = "backfill." + r.engine() + (r.rebalancers() > 1 ? ".scale_out" : "");
            Headlines.ratioAndRate(prefix, r.backfill() / r.raw(), "rows_per_s", r.backfill());
        }
        results.stream().filter(r -> r.rebalancers() == 1).forEach(r -> Headlines.rate("backfill." + r.engine()
                + ".baseline.rows_per_s", r.raw()));
    }

    private static Result run(Engine engine, int rows, int rebalancers, int writers, boolean measured)
            throws Exception {
        String layout = rebalancers + " rebalancer(s), " + writers + " writer(s)";
        boolean pg = engine == Engine.POSTGRESQL;
        List<AutoCloseable> running = new ArrayList<>();
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(pg ? 5 : 0).mariadbShards(pg ? 0 : 5)
                .start(); AutoCloseable stopsFirst = () -> closeInReverse(running)) {
            String bootstrap = testbed.kafka().bootstrapServers();
            List<DatabaseShard> shards = testbed.shards();
            DatabaseShard target = shards.get(shards.size() - 1);
            shards.forEach(SampleSchema::applyTo);
            String all = Files.readString(ShopTopology.writeYaml(ShopTopology.of(shards),
                    Scratch.newDirectory("pipeline")));
            String initial = Planner.plan(all, new Planner.Request(null, List.of(target.id()), null, null)).document();
            Topology before = TopologyLoader.parse(initial, "bench", Map.of());
            load(before, shards, rows);

            TopologyService service = new TopologyService(TopologyServiceOptions.defaults(initial, bootstrap)
                    .withReplicationFactor(1).withInstanceId("bench"), new SimpleMeterRegistry()).start();
            running.add(service);
            running.add(new CaptureService(CaptureOptions.defaults(before, bootstrap)).start());
            long captureStarted = System.nanoTime();
            awaitCaptured(bootstrap, TopicNames.of(before).cdc("users"), rows);
            System.out.printf(Locale.ROOT, "%s, %s: captured %,d rows in %.1f s%n", engine.configName(), layout, rows,
                    seconds(captureStarted));
            RebalancerOptions rebalancer = RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                    .withBulkCommitIntervalMs(Long.getLong("bench.bulkCommitIntervalMs",
                            RebalancerSettings.BULK_COMMIT_INTERVAL_MS.defaultValue()));
            List<RebalancerService> moves = new ArrayList<>();
            for (int i = 0; i < rebalancers; i++) {
                moves.add(new RebalancerService(rebalancer.withStateDir(Scratch.newDirectory("pipeline-streams")
                        .toString())).start());
                running.add(moves.get(i));
            }
            List<SimpleMeterRegistry> writerMeters = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                SimpleMeterRegistry meters = new SimpleMeterRegistry();
                writerMeters.add(meters);
                running.add(new WriterService(WriterOptions.defaults(before, target.id(), bootstrap), meters).start());
            }
            while (!service.leading()) {
                Thread.sleep(50);
            }
            if (!before.views().isEmpty()) {
                awaitViews(bootstrap, ConsumerGroups.views(rebalancer.applicationId()),
                        TopicNames.of(before).cdc("users"), rows, engine.configName() + ", " + layout);
            }
            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf(target.id())), null, null,
                    null));
            Topology after = plan.toTopology();
            List<Map<String, Object>> moving = new ArrayList<>();
            for (long id = 1; id <= rows; id++) {
                if (after.strategy().ownerOf(id).equals(target.id())) {
                    moving.add(ShopTopology.userRow(id, 1));
                }
            }
            List<Map<String, Object>> arrival = RawUsers.arrivalOrder(moving);
            target.execute(pg ? "CREATE TABLE users_raw (LIKE users INCLUDING ALL)"
                    : "CREATE TABLE users_raw LIKE users");
            double rawBefore = RawUsers.upsert(target, "users_raw", arrival);

            StreamsProfile profile = new StreamsProfile(ConsumerGroups.move(rebalancer.applicationId(), plan.id()));
            CpuByThread cpu = CpuByThread.start(CpuByThread::partOf);
            String jfr = System.getProperty("bench.jfr");
            jdk.jfr.Recording recording = null;
            if (jfr != null && measured) {
                recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                recording.setDestination(java.nio.file.Path.of(jfr.replace("%s", engine.configName() + "-"
                        + rebalancers + "x" + writers)));
                recording.start();
            }
            long started = System.nanoTime();
            service.perform(plan.id(), Action.START);
            double copySeconds = 0;
            long landed = 0;
            long deadline = started + TimeUnit.MINUTES.toNanos(15);
            while (landed < moving.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the new shard holds " + landed + " of " + moving.size()
                            + " moving rows after 15 minutes");
                }
                Thread.sleep(250);
                profile.sample();
                if (copySeconds == 0) {
                    Optional<CopyProgress> copy = moves.get(0).copyProgress();
                    if (copy.isPresent() && copy.get().total() > 0 && copy.get().done() >= copy.get().total()) {
                        copySeconds = seconds(started);
                    }
                }
                landed = target.count("users");
            }
            double elapsed = seconds(started);
            String where = cpu.report();
            if (recording != null) {
                recording.stop();
                recording.close();
            }
            System.out.printf(Locale.ROOT, "%s, %s: %,d moving rows on %s in %.1f s (%,.0f rows/s); the move had read "
                    + "every change record after %.1f s%n", engine.configName(), layout, moving.size(), target.id(),
                    elapsed, moving.size() / elapsed, copySeconds);
            System.out.print(profile.report());
            System.out.print(writerReport(writerMeters, elapsed));
            System.out.print(where);
            target.execute("DELETE FROM users_raw");
            double rawAfter = RawUsers.upsert(target, "users_raw", arrival);
            System.out.printf(Locale.ROOT, "%s: raw upsert of the same rows into %s: %,.0f rows/s before the move, "
                    + "%,.0f after%n", engine.configName(), target.id(), rawBefore, rawAfter);
            return new Result(engine.configName(), rebalancers, writers, moving.size(), (rawBefore + rawAfter) / 2,
                    moving.size() / elapsed, copySeconds, elapsed);
        }
    }

    private static void closeInReverse(List<AutoCloseable> running) throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    /** Loads {@code users} 1..rows onto their owners under {@code before}. */
    private static void load(Topology before, List<DatabaseShard> shards, int rows) throws Exception {
        Map<String, List<Map<String, Object>>> byOwner = new LinkedHashMap<>();
        for (long id = 1; id <= rows; id++) {
            byOwner.computeIfAbsent(before.strategy().ownerOf(id), s -> new ArrayList<>())
                    .add(ShopTopology.userRow(id, 1));
        }
        for (DatabaseShard shard : shards) {
            List<Map<String, Object>> owned = byOwner.getOrDefault(shard.id(), List.of());
            if (!owned.isEmpty()) {
                RawUsers.upsert(shard, "users", owned);
            }
        }
    }

    /** The writers' time in batches (database write and commit) against the span, and their batch sizes. */
    private static String writerReport(List<SimpleMeterRegistry> registries, double elapsed) {
        double batchSeconds = 0;
        long batches = 0;
        for (SimpleMeterRegistry registry : registries) {
            for (Timer timer : registry.find("shardflow.writer.batch").timers()) {
                batchSeconds += timer.totalTime(TimeUnit.NANOSECONDS) / 1e9;
                batches += timer.count();
            }
        }
        return String.format(Locale.ROOT, "    writers: %d batches, %.1f s writing them (database write and commit, "
                + "summed over the apply loops) in the %.1f s%n", batches, batchSeconds, elapsed);
    }

    /**
     * Waits until the views, where the keyspace declares any, have read the change topic: a move starts on a running
     * rebalancer whose views are up to date, as in a deployment, and they then only keep up with what comes during the
     * move (the new shard's writes).
     */
    private static void awaitViews(String bootstrap, String group, String topic, int rows, String what)
            throws Exception {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MINUTES.toNanos(10);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (TopicEnds.committed(admin, group, topic) < rows) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the views did not read " + topic + " within 10 minutes");
                }
                Thread.sleep(200);
            }
        }
        System.out.printf(Locale.ROOT, "%s: the views read the change topic in %.1f s before the move%n", what,
                seconds(started));
    }

    private static void awaitCaptured(String bootstrap, String topic, int rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (TopicEnds.sum(admin, topic) < rows) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("capture put fewer than " + rows + " rows into " + topic);
                }
                Thread.sleep(200);
            }
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
