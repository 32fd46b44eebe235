package dev.shardflow.quickstart;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.TopicEnds;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.TopologyApi;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.api.ApiServer;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.verify.VerifySettings;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A live rebalance of the sample shop on this machine: an in-JVM Kafka broker and real PostgreSQL and MariaDB shard
 * processes, the shop loaded, capture, rebalancer, writers and the topology service in this process, an application
 * writing through {@link ShardRouter} all along, and then plan, copy, verify, fenced cutover and complete — ending
 * with a report of what moved, how fast, how long writes paused, and whether every acknowledged write is in place.
 */
final class Quickstart implements AutoCloseable {
    private final QuickstartSettings settings;
    private final PrintWriter out;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final long started = System.nanoTime();
    /** Change records the move and the writers may have left when verify starts: the quickstart's "caught up". */
    private static final long CAUGHT_UP = 500;
    /** How long the quickstart waits for {@code order_user_view} to hold every order, before and after the move. */
    private static final java.time.Duration VIEW_WAIT = java.time.Duration.ofMinutes(3);

    Quickstart(QuickstartSettings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    QuickstartReport run() throws Exception {
        say("starting Kafka and %d shards (%s) ...", settings.postgres() + settings.mariadb(), settings.engines());
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(settings.postgres())
                .mariadbShards(settings.mariadb()).start();
        running.add(testbed);
        String bootstrap = testbed.kafka().bootstrapServers();
        Map<String, DatabaseShard> shards = new LinkedHashMap<>();
        testbed.shards().forEach(shard -> shards.put(shard.id(), shard));
        String added = settings.added();
        DatabaseShard viewTarget = testbed.postgres().isEmpty() ? testbed.mariadb().get(0) : testbed.postgres().get(0);
        shards.values().forEach(SampleSchema::applyTo);
        viewTarget.execute("CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status VARCHAR(20))");
        Path directory = Scratch.newDirectory("quickstart");
        // order_user_view only: the in-place orders.username view is a second join of every order, twice the work
        // on two cores for nothing the quickstart reports
        String all = Files.readString(ShopTopology.writeYaml(ShopTopology.withViews(ShopTopology.of(
                List.copyOf(shards.values())), List.of(ShopTopology.VIEWS.get(0))), directory));
        String initial = Planner.plan(all, new Planner.Request(null, List.of(added), null, null)).document();
        Topology before = TopologyLoader.parse(initial, "quickstart", Map.of());
        say("shards %s up in %d s; %s is the new shard, empty", shards.keySet(), testbed.startupTime().toSeconds(),
                added);

        long loadStarted = System.nanoTime();
        int rows = settings.users() + settings.orders();
        Map<String, DatabaseShard> sources = new LinkedHashMap<>(shards);
        sources.remove(added);
        ShopLoader.load(before, sources, settings.users(), settings.orders(), done -> progress("load", "rows", done, rows,
                loadStarted));
        say("loaded %,d users and %,d orders in %.1f s", settings.users(), settings.orders(), seconds(loadStarted));

        String token = UUID.randomUUID().toString();
        Path tokenFile = directory.resolve("api.token");
        Files.writeString(tokenFile, token);
        TopologyServiceOptions serviceOptions = TopologyServiceOptions.defaults(initial, bootstrap)
                .withReplicationFactor(1).withInstanceId("quickstart");
        // every component shares two cores here: fewer, larger verify chunks (each costs a watermark's trip through
        // the pipeline), and longer for a watermark than on a fleet
        serviceOptions = serviceOptions.withWorkflow(serviceOptions.workflow().withVerify(new VerifySettings(10_000,
                200_000, 5, java.time.Duration.ofMinutes(3), 16)));
        TopologyService service = new TopologyService(serviceOptions, new SimpleMeterRegistry()).start();
        running.add(service);
        ApiServer api = new ApiServer("127.0.0.1", settings.apiPort(), new TopologyApi(service), token, () -> "")
                .start();
        running.add(api);
        running.add(new CaptureService(CaptureOptions.defaults(before, bootstrap)).start());
        long captureStarted = System.nanoTime();
        awaitCaptured(bootstrap, before, rows, captureStarted);
        say("captured the shop into the change topics in %.1f s", seconds(captureStarted));
        // two stream threads: the view's first build is a join of every order, and it has both cores to itself
        running.add(new RebalancerService(RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                .withThreads(2).withStateDir(Scratch.newDirectory("quickstart-streams").toString())).start());
        String viewTopic = TopicNames.of(before).view("order_user_view");
        for (DatabaseShard shard : shards.values()) {
            WriterOptions options = WriterOptions.defaults(before, shard.id(), bootstrap);
            if (shard == viewTarget) {
                options = options.withTopics(List.of(TopicNames.of(before).apply(shard.id()), viewTopic));
            }
            running.add(new WriterService(options).start());
        }
        while (!service.leading()) {
            Thread.sleep(50);
        }
        say("dashboard: http://127.0.0.1:%d/  (API token in %s)", api.port(), tokenFile);
        long viewStarted = System.nanoTime();
        long built = awaitView(viewTarget, settings.orders());
        if (built < settings.orders()) {
            throw new IllegalStateException("order_user_view holds " + built + " of " + settings.orders() + " orders "
                    + "after " + VIEW_WAIT.toMinutes() + " minutes; the views are not being built");
        }
        say("order_user_view built: a row for each of %,d orders, in %.1f s", built, seconds(viewStarted));

        ShardRouter router = ShardRouter.builder(before, bootstrap).routerId("quickstart").start();
        running.add(router);
        RouterWrites writes = new RouterWrites(router, settings.users()).start(4, settings.writesPerSecond());
        running.add(writes);
        say("the application writes %d transactions/s through ShardRouter", settings.writesPerSecond());

        Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf(added)), null, null, null));
        double ideal = 1.0 / (sources.size() + 1);
        say("plan %s: %.1f %% of the keys move to %s (ideal 1/%d = %.1f %%)", plan.id(),
                100 * plan.plan().movedFraction(), added, sources.size() + 1, 100 * ideal);
        service.perform(plan.id(), Action.START);
        long copyStarted = System.nanoTime();
        List<Long> lags = new ArrayList<>();
        long copied = 0;
        while (service.rebalance(plan.id()).orElseThrow().state() != RebalanceState.CATCHING_UP) {
            var copy = service.moves().copyProgress(plan.id());
            if (copy.isPresent()) {
                copied = copy.get().done();
                progress("copy", "change records", copy.get().done(), copy.get().total(), copyStarted);
            }
            Thread.sleep(500);
        }
        double copySeconds = seconds(copyStarted);
        say("copy done in %.1f s", copySeconds);
        long catchUpStarted = System.nanoTime();
        long caughtUpBy = catchUpStarted + 600_000_000_000L;
        while (true) { // catch-up: the move and the new shard's writers work off what the copy left, while writes go on
            long lag = service.moves().moveLag(plan.id()).orElse(0L) + service.moves().writerLag(List.of(added));
            lags.add(lag);
            if (System.nanoTime() - lastProgress > 2_000_000_000L) {
                lastProgress = System.nanoTime();
                out.printf("  catch-up lag %,d change records%n", lag);
                out.flush();
            }
            if (lag <= CAUGHT_UP || System.nanoTime() > caughtUpBy) {
                break;
            }
            Thread.sleep(500);
        }
        say("caught up in %.1f s (lag %,d change records)", seconds(catchUpStarted), lags.get(lags.size() - 1));

        Rebalance verified = service.verify(plan.id());
        VerifyReport verify = verified.verification();
        say("verify: %,d rows compared, %d mismatches, %d unsettled, in %.1f s", verify.rowsCompared(),
                verify.mismatches(), verify.unsettled(), verify.elapsedMs() / 1000.0);

        Rebalance cut = cutover(service, plan.id(), lags);
        Rebalance.FenceAttempt fence = cut.fences().get(cut.fences().size() - 1);
        say("cutover: epoch %d in force; writes to moving keys paused %d ms", cut.toTopology().epoch(),
                fence.pauseMs());
        service.perform(plan.id(), Action.COMPLETE);
        while (service.rebalance(plan.id()).orElseThrow().state() != RebalanceState.COMPLETED) {
            Thread.sleep(500);
        }
        say("complete: moved rows deleted from their old owners");
        writes.close();
        running.remove(writes);
        RouterWrites.Check check = writes.check();
        VerifyReport everything = service.verifyKeyspace(true);
        long movedRows = moved(shards.get(added));
        long viewRows = awaitView(viewTarget, settings.orders());
        Path topologyFile = Files.writeString(directory.resolve("topology.yaml"), service.state().orElseThrow()
                .current());
        List<Long> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        return new QuickstartReport(settings, movedRows, (double) movedRows / rows, ideal, copied / copySeconds,
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1),
                sorted.isEmpty() ? 0 : sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1), fence.pauseMs(),
                writes.acknowledged(), writes.refused(), check, verify, everything, viewTarget.id(), viewRows, api.port(),
                tokenFile, topologyFile, bootstrap, seconds(started));
    }

    private Rebalance cutover(TopologyService service, String id, List<Long> lags) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try {
                return service.perform(id, Action.CUTOVER);
            } catch (WorkflowException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                lags.add(service.moves().moveLag(id).orElse(0L));
                say("cutover not yet: %s", e.getMessage());
                Thread.sleep(1_000);
            }
        }
    }

    /**
     * Waits, up to {@link #VIEW_WAIT}, for {@code order_user_view} to hold a row for every order (the application
     * only updates orders, so there are as many as were loaded); returns how many it holds.
     */
    private long awaitView(DatabaseShard target, long orders) throws Exception {
        long since = System.nanoTime();
        long first = count(target, "order_user_view");
        long rows = first;
        while (rows < orders && System.nanoTime() - since < VIEW_WAIT.toNanos()) {
            progress("view", "orders", rows, first, orders, since);
            Thread.sleep(500);
            rows = count(target, "order_user_view");
        }
        return rows;
    }

    private static long moved(DatabaseShard shard) throws Exception {
        return count(shard, "users") + count(shard, "orders");
    }

    private static long count(DatabaseShard shard, String table) throws Exception {
        try (var connection = shard.connect(); var statement = connection.createStatement();
                var result = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            result.next();
            return result.getLong(1);
        }
    }

    private void awaitCaptured(String bootstrap, Topology topology, long rows, long since) throws Exception {
        TopicNames names = TopicNames.of(topology);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (true) {
                long captured = TopicEnds.sum(admin, names.cdc("users")) + TopicEnds.sum(admin, names.cdc("orders"));
                progress("capture", "change records", Math.min(captured, rows), rows, since);
                if (captured >= rows) {
                    return;
                }
                Thread.sleep(500);
            }
        }
    }

    private long lastProgress;

    private void progress(String what, String unit, long done, long total, long since) {
        progress(what, unit, done, 0, total, since);
    }

    /** A progress line at most every 2 s (and at the end); the rate counts what was done since {@code from}. */
    private void progress(String what, String unit, long done, long from, long total, long since) {
        if (System.nanoTime() - lastProgress < 2_000_000_000L && done < total) {
            return;
        }
        lastProgress = System.nanoTime();
        out.printf(Locale.ROOT, "  %-8s %,d of %,d %s, %,.0f/s%n", what, done, total, unit,
                (done - from) / Math.max(0.001, seconds(since)));
        out.flush();
    }

    private void say(String format, Object... args) {
        out.printf("[%5.1f s] %s%n", seconds(started), String.format(format, args));
        out.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                out.println("closing " + running.get(i).getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        running.clear();
    }
}
