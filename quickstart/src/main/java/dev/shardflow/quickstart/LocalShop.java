package dev.shardflow.quickstart;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
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
import dev.shardflow.topology.verify.VerifySettings;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/**
 * The sample shop's whole system on this machine, started in order and closed in reverse: Kafka and the shards
 * (one of them new and empty), the shop's schema and rows, the topology service with its API, capture, the
 * rebalancer and a writer per shard; {@link #start} returns once the shop is in the change topics and
 * {@code order_user_view} holds every order.
 */
final class LocalShop implements AutoCloseable {
    /** How long the quickstart waits for {@code order_user_view} to hold every order, before and after the move. */
    static final Duration VIEW_WAIT = Duration.ofMinutes(3);

    private final QuickstartSettings settings;
    private final Narration narration;
    private final List<AutoCloseable> running = new ArrayList<>();
    final Map<String, DatabaseShard> shards = new LinkedHashMap<>();
    final Map<String, DatabaseShard> sources = new LinkedHashMap<>();
    String bootstrap;
    String added;
    DatabaseShard viewTarget;
    Path directory;
    Topology before;
    TopologyService service;
    ApiServer api;
    Path tokenFile;

    LocalShop(QuickstartSettings settings, Narration narration) {
        this.settings = settings;
        this.narration = narration;
    }

    /** Rows loaded: users and orders. */
    long rows() {
        return (long) settings.users() + settings.orders();
    }

    LocalShop start() throws Exception {
        narration.say("starting Kafka and %d shards (%s) ...", settings.postgres() + settings.mariadb(),
                settings.engines());
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(settings.postgres())
                .mariadbShards(settings.mariadb()).start();
        running.add(testbed);
        bootstrap = testbed.kafka().bootstrapServers();
        testbed.shards().forEach(shard -> shards.put(shard.id(), shard));
        added = settings.added();
        viewTarget = testbed.postgres().isEmpty() ? testbed.mariadb().get(0) : testbed.postgres().get(0);
        shards.values().forEach(SampleSchema::applyTo);
        viewTarget.execute("CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status VARCHAR(20))");
        directory = Scratch.newDirectory("quickstart");
        // order_user_view only: the in-place orders.username view is a second join of every order, twice the work
        // on two cores for nothing the quickstart reports
        String all = Files.readString(ShopTopology.writeYaml(ShopTopology.withViews(ShopTopology.of(
                List.copyOf(shards.values())), List.of(ShopTopology.VIEWS.get(0))), directory));
        String initial = Planner.plan(all, new Planner.Request(null, List.of(added), null, null)).document();
        before = TopologyLoader.parse(initial, "quickstart", Map.of());
        narration.say("shards %s up in %d s; %s is the new shard, empty", shards.keySet(),
                testbed.startupTime().toSeconds(), added);

        long loadStarted = System.nanoTime();
        sources.putAll(shards);
        sources.remove(added);
        ShopLoader.load(before, sources, settings.users(), settings.orders(), done -> narration.progress("load",
                "rows", done, rows(), loadStarted));
        narration.say("loaded %,d users and %,d orders in %.1f s", settings.users(), settings.orders(),
                Narration.seconds(loadStarted));

        startService(initial);
        running.add(new CaptureService(CaptureOptions.defaults(before, bootstrap)).start());
        long captureStarted = System.nanoTime();
        awaitCaptured(captureStarted);
        narration.say("captured the shop into the change topics in %.1f s", Narration.seconds(captureStarted));
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
        narration.say("dashboard: http://127.0.0.1:%d/  (API token in %s)", api.port(), tokenFile);
        long viewStarted = System.nanoTime();
        long built = awaitView();
        if (built < settings.orders()) {
            throw new IllegalStateException("order_user_view holds " + built + " of " + settings.orders() + " orders "
                    + "after " + VIEW_WAIT.toMinutes() + " minutes; the views are not being built");
        }
        narration.say("order_user_view built: a row for each of %,d orders, in %.1f s", built,
                Narration.seconds(viewStarted));
        return this;
    }

    /** Keeps {@code closeable} running until the shop closes, closing it before what started earlier. */
    <T extends AutoCloseable> T keep(T closeable) {
        running.add(closeable);
        return closeable;
    }

    /** Closes {@code closeable} now, rather than with the shop. */
    void release(AutoCloseable closeable) throws Exception {
        running.remove(closeable);
        closeable.close();
    }

    /**
     * Waits, up to {@link #VIEW_WAIT}, for {@code order_user_view} to hold a row for every order (the application
     * only updates orders, so there are as many as were loaded); returns how many it holds.
     */
    long awaitView() throws Exception {
        long since = System.nanoTime();
        long first = viewTarget.count("order_user_view");
        long viewRows = first;
        while (viewRows < settings.orders() && System.nanoTime() - since < VIEW_WAIT.toNanos()) {
            narration.progress("view", "orders", viewRows, first, settings.orders(), since);
            Thread.sleep(500);
            viewRows = viewTarget.count("order_user_view");
        }
        return viewRows;
    }

    /** Changes on the dead-letter topic: none, when nothing was refused. */
    long deadLetters() throws InterruptedException {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            return dev.shardflow.testkit.kafka.TopicEnds.sum(admin, TopicNames.of(before).dlq());
        }
    }

    /** Users and orders on {@code shard}. */
    static long moved(DatabaseShard shard) throws Exception {
        return shard.count("users") + shard.count("orders");
    }

    private void startService(String initial) throws Exception {
        String token = UUID.randomUUID().toString();
        tokenFile = directory.resolve("api.token");
        Files.writeString(tokenFile, token);
        TopologyServiceOptions serviceOptions = TopologyServiceOptions.defaults(initial, bootstrap)
                .withReplicationFactor(1).withInstanceId("quickstart");
        // every component shares two cores here: fewer, larger verify chunks (each costs a watermark's trip through
        // the pipeline), and longer for a watermark than on a fleet
        serviceOptions = serviceOptions.withWorkflow(serviceOptions.workflow().withVerify(new VerifySettings(10_000,
                200_000, 5, Duration.ofMinutes(3), 16)));
        service = keep(new TopologyService(serviceOptions, new SimpleMeterRegistry()).start());
        api = keep(new ApiServer("127.0.0.1", settings.apiPort(), new TopologyApi(service), token, () -> "").start());
    }

    private void awaitCaptured(long since) throws Exception {
        TopicNames names = TopicNames.of(before);
        try (Admin admin = KafkaConnection.plain(bootstrap).admin(Map.of())) {
            while (true) {
                long captured = TopicEnds.sum(admin, names.cdc("users")) + TopicEnds.sum(admin, names.cdc("orders"));
                narration.progress("capture", "change records", Math.min(captured, rows()), rows(), since);
                if (captured >= rows()) {
                    return;
                }
                Thread.sleep(500);
            }
        }
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                narration.println("closing " + running.get(i).getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        running.clear();
    }
}
