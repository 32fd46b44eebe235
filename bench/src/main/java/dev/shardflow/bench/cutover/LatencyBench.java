package dev.shardflow.bench.cutover;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.bench.CpuByThread;
import dev.shardflow.bench.Headlines;
import dev.shardflow.bench.Percentiles;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.RouterWorkload;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Steady-state latency, from a source's commit to the row on its target, while a move catches up: the ring of two
 * PostgreSQL and two MariaDB shards moves keys to a fifth (pg3), an application writes through {@link ShardRouter}
 * at the rate asked, and probes — updates of moving users, a few a second — are followed hop by hop: the change topic
 * (capture), the new shard's apply topic (the move), the row on pg3 (the writer); and the user's name in
 * {@code order_user_view} on pg1 through the view topic. Observers read the topics from their end as they fill, and
 * one query a few milliseconds apart looks for every probe still on its way.
 */
public final class LatencyBench {
    private static final int USERS = 5_000;
    private static final int PROBE_USERS = 200;
    static final long PROBE_BASE = 1_000_000;
    private static final Duration PROBE_EVERY = Duration.ofMillis(100);
    static final Duration LOOK_EVERY = Duration.ofMillis(5);
    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private LatencyBench() {}

    public static void main(String[] args) throws Exception {
        int writesPerSecond = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        List<AutoCloseable> running = new ArrayList<>();
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).mariadbShards(2).start();
                AutoCloseable stopsFirst = () -> closeInReverse(running)) {
            String bootstrap = testbed.kafka().bootstrapServers();
            List<DatabaseShard> shards = testbed.shards();
            shards.forEach(SampleSchema::applyTo);
            DatabaseShard viewShard = shard(shards, "pg1");
            viewShard.execute("CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                    + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status "
                    + "VARCHAR(20))");
            String all = Files.readString(ShopTopology.writeYaml(ShopTopology.withViews(ShopTopology.of(shards),
                    List.of(ShopTopology.VIEWS.get(0))), Scratch.newDirectory("latency")));
            String initial = Planner.plan(all, new Planner.Request(null, List.of("pg3"), null, null)).document();
            Topology ring = TopologyLoader.parse(initial, "bench", Map.of());
            DatabaseShard target = shard(shards, "pg3");
            TopologyService service = new TopologyService(TopologyServiceOptions.defaults(initial, bootstrap)
                    .withReplicationFactor(1).withInstanceId("bench"), new SimpleMeterRegistry()).start();
            running.add(service);
            ShardRouter router = ShardRouter.builder(ring, bootstrap).routerId("bench-app").poolSize(16).start();
            running.add(router);
            RouterWorkload workload = new RouterWorkload(router);
            workload.load(1, USERS);
            new RouterWorkload(router).load(PROBE_BASE, PROBE_USERS);
            running.add(new CaptureService(CaptureOptions.defaults(ring, bootstrap)).start());
            RebalancerOptions rebalancer = RebalancerOptions.defaults(ring, bootstrap).withReplicationFactor(1)
                    .withStateDir(Scratch.newDirectory("latency-streams").toString());
            if (Long.getLong("bench.viewsCommitIntervalMs") != null) {
                rebalancer = rebalancer.withViewsCommitIntervalMs(Long.getLong("bench.viewsCommitIntervalMs"));
            }
            System.out.printf(Locale.ROOT, "rebalancer: %s, commit interval %d ms, views commit interval %d ms%n",
                    rebalancer.processingGuarantee(), rebalancer.commitIntervalMs(),
                    rebalancer.viewsCommitIntervalMs());
            running.add(new RebalancerService(rebalancer).start());
            TopicNames names = TopicNames.of(ring);
            for (DatabaseShard shard : shards) {
                WriterOptions options = WriterOptions.defaults(ring, shard.id(), bootstrap);
                if (shard == viewShard) {
                    options = options.withTopics(List.of(names.apply(shard.id()), names.view("order_user_view")));
                }
                running.add(new WriterService(options).start());
            }
            while (!service.leading()) {
                Thread.sleep(50);
            }
            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf("pg3")), null, null, null));
            Topology after = plan.toTopology();
            List<Long> probeUsers = new ArrayList<>();
            for (long user = PROBE_BASE; user < PROBE_BASE + PROBE_USERS; user++) {
                if (after.strategy().ownerOf(user).equals("pg3")) {
                    probeUsers.add(user);
                }
            }
            service.perform(plan.id(), Action.START);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (service.rebalance(plan.id()).orElseThrow().state() != RebalanceState.CATCHING_UP) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the move did not catch up within 5 minutes");
                }
                Thread.sleep(100);
            }
            awaitViewsCaughtUp(bootstrap, ConsumerGroups.views(rebalancer.applicationId()));
            System.out.printf(Locale.ROOT, "the move to pg3 catches up; %d probe users move; the application writes "
                    + "%,d times a second through the router for %d s%n", probeUsers.size(), writesPerSecond, seconds);

            int threads = Math.max(1, Math.min(200, writesPerSecond / 25));
            workload.start(threads, Math.max(1, writesPerSecond / threads), 1, USERS / threads);
            running.add(workload);
            Thread.sleep(20_000); // the load settles, and the JIT compiler with it, before the first probe
            Map<String, Probe> byName = new ConcurrentHashMap<>();
            List<Probe> probes = new ArrayList<>();
            ProbeObserver observer = new ProbeObserver(bootstrap, names, byName);
            Thread observing = new Thread(observer, "latency-observer");
            observing.setDaemon(true);
            observing.start();
            ProbeLooker looker = new ProbeLooker(target, viewShard, byName);
            Thread looking = new Thread(looker, "latency-looker");
            looking.setDaemon(true);
            looking.start();
            long acknowledgedBefore = workload.acknowledged();
            CpuByThread cpu = CpuByThread.start(CpuByThread::partOf);
            long started = System.nanoTime();
            long version = 1;
            java.util.Random random = new java.util.Random(7);
            while (System.nanoTime() - started < Duration.ofSeconds(seconds).toNanos()) {
                long user = probeUsers.get(random.nextInt(probeUsers.size()));
                long next = ++version;
                Probe probe = new Probe(user, next);
                String name = probe.name();
                byName.put(name, probe); // before the write: the observer may see its change before it returns
                router.write(user, connection -> {
                    try (PreparedStatement update = connection.prepareStatement(
                            "UPDATE users SET username = ?, version = ? WHERE id = ?")) {
                        update.setString(1, name);
                        update.setLong(2, next);
                        update.setLong(3, user);
                        update.executeUpdate();
                    }
                    return null;
                });
                probe.committedMs = System.currentTimeMillis();
                probes.add(probe);
                Thread.sleep(PROBE_EVERY.toMillis());
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            long acknowledged = workload.acknowledged() - acknowledgedBefore;
            String where = cpu.report();
            long waitUntil = System.currentTimeMillis() + GIVE_UP.toMillis();
            while (probes.stream().anyMatch(p -> p.appliedMs == 0 || p.viewMs == 0)
                    && System.currentTimeMillis() < waitUntil) {
                Thread.sleep(50);
            }
            observer.stop();
            looker.stop();
            System.out.printf(Locale.ROOT, "%d probes over %.0f s; the application's writes acknowledged %,.0f a "
                    + "second (asked %,d)%n", probes.size(), elapsed, acknowledged / elapsed, writesPerSecond);
            System.out.print(where);
            report(probes);
        }
    }

    /**
     * Waits for the views to finish their first build: every partition the views' application reads (the change
     * topics and its own repartition topics) within one record of its end — an exactly-once commit leaves a marker
     * there. A probe's view hop is then its latency once the view keeps up, not the time left of the build.
     */
    private static void awaitViewsCaughtUp(String bootstrap, String group) throws Exception {
        long started = System.nanoTime();
        long deadline = started + Duration.ofMinutes(10).toNanos();
        long nextReport = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                committed.values().removeIf(java.util.Objects::isNull);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                        .get();
                long behind = committed.entrySet().stream().mapToLong(e -> Math.max(0,
                        ends.get(e.getKey()).offset() - e.getValue().offset() - 1)).sum();
                if (!committed.isEmpty() && behind == 0) {
                    System.out.printf(Locale.ROOT, "the views' first build is done after %.0f s (%d partitions "
                            + "read)%n", (System.nanoTime() - started) / 1e9, committed.size());
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the views are " + behind + " records behind after 10 minutes: "
                            + "their first build is stuck");
                }
                if (System.nanoTime() > nextReport) {
                    System.out.printf(Locale.ROOT, "waiting for the views' first build: %,d records behind%n",
                            behind);
                    nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                }
                Thread.sleep(500);
            }
        }
    }

    private static void report(List<Probe> probes) {
        System.out.println("latency per hop, ms (p50 / p99 / max over the probes):");
        row("source commit -> change topic (capture)", probes, p -> p.cdcMs - p.committedMs, p -> p.cdcMs != 0);
        row("change topic -> apply topic (the move)", probes, p -> p.applyTopicMs - p.cdcMs,
                p -> p.applyTopicMs != 0 && p.cdcMs != 0);
        row("apply topic -> row on pg3 (the writer)", probes, p -> p.appliedMs - p.applyTopicMs,
                p -> p.appliedMs != 0 && p.applyTopicMs != 0);
        double[] apply = row("source commit -> row on pg3", probes, p -> p.appliedMs - p.committedMs,
                p -> p.appliedMs != 0);
        row("change topic -> view topic (the views)", probes, p -> p.viewTopicMs - p.cdcMs,
                p -> p.viewTopicMs != 0 && p.cdcMs != 0);
        row("view topic -> view row on pg1 (the writer)", probes, p -> p.viewMs - p.viewTopicMs,
                p -> p.viewMs != 0 && p.viewTopicMs != 0);
        double[] view = row("source commit -> view row on pg1", probes, p -> p.viewMs - p.committedMs,
                p -> p.viewMs != 0);
        long missing = probes.stream().filter(p -> p.appliedMs == 0 || p.viewMs == 0).count();
        if (missing > 0) {
            System.out.printf(Locale.ROOT, "%d probes did not arrive within %d s%n", missing, GIVE_UP.toSeconds());
        }
        // a probe that did not arrive is slower than any that did: a headline it would fall on is infinite, not the
        // figure of the probes that made it
        Headlines.millis("apply.latency.p50.ms", headline(probes, apply[0], 0.5, p -> p.appliedMs != 0));
        Headlines.millis("apply.latency.p99.ms", headline(probes, apply[1], 0.99, p -> p.appliedMs != 0));
        Headlines.millis("view.latency.p99.ms", headline(probes, view[1], 0.99, p -> p.viewMs != 0));
    }

    /** {@code seenFigure}, the percentile {@code p} of the probes seen, or infinity if it falls on one not seen. */
    private static double headline(List<Probe> probes, double seenFigure, double p,
            java.util.function.Predicate<Probe> seen) {
        long arrived = probes.stream().filter(seen).count();
        int index = (int) Math.ceil(p * probes.size()) - 1;
        return probes.isEmpty() || index >= arrived ? Double.POSITIVE_INFINITY : seenFigure;
    }

    /** Prints p50 / p99 / max of {@code latency} over the probes that {@code seen} both ends of. */
    private static double[] row(String hop, List<Probe> probes, java.util.function.ToLongFunction<Probe> latency,
            java.util.function.Predicate<Probe> seen) {
        List<Long> sorted = probes.stream().filter(seen).map(latency::applyAsLong).sorted().toList();
        double[] figures = {Percentiles.at(sorted, 0.5), Percentiles.at(sorted, 0.99), Percentiles.at(sorted, 1.0)};
        System.out.printf(Locale.ROOT, "  %-44s %6.0f %6.0f %6.0f   (%d probes)%n", hop, figures[0], figures[1],
                figures[2], sorted.size());
        return figures;
    }

    private static DatabaseShard shard(List<DatabaseShard> shards, String id) {
        return shards.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private static void closeInReverse(List<AutoCloseable> running) throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }
}
