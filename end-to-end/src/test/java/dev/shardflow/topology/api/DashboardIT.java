package dev.shardflow.topology.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium during a rebalance: the page, loaded while a real rebalancer copies, draws the
 * ring with its moving arcs highlighted, the workflow state and a copy progress bar that has moved.
 */
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void theRingAndTheCopyProgressRenderDuringARebalance() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            fail("this test renders the dashboard in headless Chromium: install Debian's chromium package "
                    + "(apt-get install -y chromium; ./run-tests does it)");
        }
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).start()) {
            String bootstrap = testbed.kafka().bootstrapServers();
            String document = ShopTopology.routingDocument(1, List.of("s0", "s1", "s2", "s3"));
            Topology before = TopologyLoader.parse(document, "test", Map.of());
            for (String table : List.of("users", "orders", "order_items", "products")) {
                testbed.kafka().createTopic("sf.shop.cdc." + table, 3, 1, Map.of());
            }
            fillUsers(bootstrap, before, 2_000);
            try (TopologyService service = new TopologyService(TopologyServiceOptions.defaults(document, bootstrap)
                            .withReplicationFactor(1).withInstanceId("dash"), new SimpleMeterRegistry()).start();
                    RebalancerService rebalancer = new RebalancerService(RebalancerOptions.defaults(before, bootstrap)
                            .withReplicationFactor(1).withStateDir(Scratch.newDirectory("dash").toString())).start();
                    ApiServer api = new ApiServer("127.0.0.1", 0, new dev.shardflow.topology.TopologyApi(service), "token", () -> "").start()) {
                await("leading").atMost(Duration.ofSeconds(30)).until(service::leading);
                Rebalance abandoned = service.plan(new Planner.Request(null, null, Map.of("s0", 2.0), null));
                service.perform(abandoned.id(), Action.CANCEL);
                String after = render("http://127.0.0.1:" + api.port() + "/");
                Matcher shownState = Pattern.compile("id=\"state\"[^>]*>([A-Z_]+)<").matcher(after);
                assertThat(shownState.find()).isTrue();
                assertThat(shownState.group(1)).as("once no rebalance runs, the latest stays on the page")
                        .isEqualTo("CANCELLED");
                assertThat(after).contains("cancelled before it started");
                assertThat(count(after, "<td class=\"outcome\">")).as("past rebalances").isEqualTo(1);

                Rebalance plan = service.plan(new Planner.Request(List.of(EventJson.mapper().readTree(
                        "{\"id\": \"s4\", \"engine\": \"postgresql\", \"jdbcUrl\": \"jdbc:postgresql://h/s4\", "
                                + "\"user\": \"u\", \"password\": {\"env\": \"PW\"}}")), null, null, null));
                service.perform(plan.id(), Action.START);
                await("the copy has begun").atMost(Duration.ofSeconds(60)).until(() -> service.moves()
                        .copyProgress(plan.id()).map(p -> p.done() > 0).orElse(false));

                String dom = render("http://127.0.0.1:" + api.port() + "/");
                assertThat(count(dom, "<path class=\"arc\"")).as("ring arcs").isGreaterThan(4);
                assertThat(count(dom, "<path class=\"moving\"")).as("moving arcs highlighted").isGreaterThan(0);
                assertThat(dom).contains("data-loaded=\"true\"");
                Matcher state = Pattern.compile("id=\"state\"[^>]*>([A-Z_]+)<").matcher(dom);
                assertThat(state.find()).isTrue();
                assertThat(state.group(1)).isIn("COPYING", "CATCHING_UP");
                Matcher copy = Pattern.compile("id=\"copy-progress\" data-fraction=\"([0-9.]+)\"").matcher(dom);
                assertThat(copy.find()).as("a copy progress bar").isTrue();
                assertThat(Double.parseDouble(copy.group(1))).isGreaterThan(0);
                assertThat(count(dom, "<td class=\"outcome\">")).as("the running one and the past one").isEqualTo(2);
                assertThat(dom).contains(abandoned.id());
            }
        }
    }

    private static void fillUsers(String bootstrap, Topology topology, int users) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (long id = 1; id <= users; id++) {
                ChangeEvent change = new ChangeEvent("shop", "users", Op.READ, Map.of("id", id), null,
                        ShopTopology.userRow(id, 1), id,
                        new Source(topology.strategy().ownerOf(id), new PostgresLsn(id * 64), null, 0), 1);
                producer.send(new ProducerRecord<>("sf.shop.cdc.users", SourceRowKey.of(change).toBytes(),
                        EventJson.toBytes(change)));
            }
        }
    }

    /** The page's DOM after its scripts ran, as headless Chromium renders it. */
    private static String render(String url) throws Exception {
        Path profile = Scratch.newDirectory("chromium");
        Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--dump-dom", url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] dom = chromium.getInputStream().readAllBytes();
        if (!chromium.waitFor(60, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
            fail("headless Chromium did not finish rendering " + url + " in 60 s");
        }
        return new String(dom, StandardCharsets.UTF_8);
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
