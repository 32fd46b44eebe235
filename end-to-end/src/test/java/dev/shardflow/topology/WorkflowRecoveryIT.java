package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.FreePorts;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two topology-service processes, a leader and a standby; the leader is killed with SIGKILL in each state of the
 * workflow, the standby takes over, and the killed one comes back as the standby — while capture, rebalancer and writers run and an application writes through a router all along: the workflow
 * resumes where it was, a fence that cannot finish is aborted with writes resuming on the old epoch, and at the end
 * of a completed, a cancelled and a rolled-back rebalance every acknowledged write is on its owner and no row is left
 * on a shard that does not own it. The tests share one fleet and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkflowRecoveryIT {
    private static final Logger log = LoggerFactory.getLogger(WorkflowRecoveryIT.class);
    private static final String TOKEN = "recovery-token-5d1e";
    private static Testbed testbed;
    private static Path dir;
    private static final Map<String, Integer> ports = new LinkedHashMap<>();
    private static final Map<String, Process> services = new LinkedHashMap<>();
    private static String leader;
    private static int port;
    private static int starts;
    private static final Map<String, WriterService> writers = new LinkedHashMap<>();
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static ShardRouter router;
    private static RouterWorkload workload;
    private static String rebalance;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        dir = Scratch.newDirectory("workflow-recovery");
        String three = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()), dir));
        String initial = Planner.plan(three, new Planner.Request(null, List.of("pg3"), null, null)).document();
        Files.writeString(dir.resolve("topology.yaml"), initial);
        Files.writeString(dir.resolve("api.token"), TOKEN);
        for (String instance : List.of("a", "b")) {
            ports.put(instance, FreePorts.next());
            Files.writeString(dir.resolve("service-" + instance + ".yaml"), """
                    topology: topology.yaml
                    kafka: {bootstrapServers: "%s", replicationFactor: 1}
                    instanceId: %s
                    api: {port: %d, tokenFile: api.token}
                    fence: {timeoutMs: 5000}
                    cleanup: {batchRows: 20, rowsPerSecond: 100}
                    """.formatted(testbed.kafka().bootstrapServers(), instance, ports.get(instance)));
        }
        startService("a");
        leader = "a";
        port = ports.get("a");
        await("a leads").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> leads("a"));
        startService("b");
        await("b answers as a standby").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> post(ports.get("b"), "/api/rebalances/none/start", "").statusCode() == 503);
        Topology before = TopologyLoader.parse(initial, "initial", Map.of());
        String bootstrap = testbed.kafka().bootstrapServers();
        router = ShardRouter.builder(before, bootstrap).routerId("app")
                .fenceWait(Duration.ofSeconds(8)).start();
        workload = new RouterWorkload(router);
        workload.load(1, 600);
        running.add(new CaptureService(CaptureOptions.defaults(before, bootstrap)).start());
        running.add(new RebalancerService(RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                .withStateDir(Scratch.newDirectory("recovery-streams").toString())).start());
        for (DatabaseShard shard : testbed.shards()) {
            startWriter(shard.id());
        }
        workload.start(2, 20, 1, 300);
    }

    @AfterAll
    static void stop() throws Exception {
        if (workload != null) {
            workload.close();
        }
        for (Process service : services.values()) {
            service.destroyForcibly().waitFor();
        }
        writers.values().forEach(WriterService::close);
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (router != null) {
            router.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    @Order(1)
    void aPlannedRebalanceSurvivesAKill() throws Exception {
        HttpResponse<String> planned = post("/api/rebalances", "{\"add\": [\"pg3\"]}");
        assertThat(planned.statusCode()).as(planned.body()).isEqualTo(201);
        rebalance = json(planned).path("id").asText();
        killAndRestart();
        assertThat(state()).isEqualTo("PLANNED");
    }

    @Test
    @Order(2)
    void aCopyInterruptedByAKillResumesIntoCatchUp() throws Exception {
        assertThat(post("/api/rebalances/" + rebalance + "/start", "").statusCode()).isEqualTo(200);
        assertThat(state()).isEqualTo("COPYING");
        killAndRestart();
        await("catch-up after the restart").atMost(Duration.ofSeconds(90)).until(() -> state().equals("CATCHING_UP"));
    }

    @Test
    @Order(3)
    void catchUpSurvivesAKill() throws Exception {
        killAndRestart();
        assertThat(state()).isEqualTo("CATCHING_UP");
        assertThat(get("/metrics").body()).contains("shardflow_topology_rebalance_state{state=\"CATCHING_UP\"} 1.0",
                "shardflow_topology_leader 1.0");
    }

    @Test
    @Order(4)
    void aVerifiedRebalanceSurvivesAKill() throws Exception {
        workload.pause();
        try {
            await("the move caught up").atMost(Duration.ofSeconds(60)).until(() -> lag() == 0);
            HttpResponse<String> started = post("/api/rebalances/" + rebalance + "/verify", "");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String job = json(started).path("id").asText();
            await("verify " + job + " ends").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !verifyJob().path("state").asText().equals("RUNNING"));
            JsonNode verified = verifyJob();
            assertThat(verified.path("id").asText()).isEqualTo(job);
            assertThat(verified.path("state").asText()).as(verified.toString()).isEqualTo("DONE");
            assertThat(verified.path("report").path("mismatches").asLong()).isZero();
            assertThat(verified.path("report").path("rowsCompared").asLong()).isPositive();
        } finally {
            workload.resume();
        }
        assertThat(state()).isEqualTo("VERIFIED");
        killAndRestart();
        assertThat(state()).isEqualTo("VERIFIED");
    }

    @Test
    @Order(5)
    void aFenceTheTargetWriterCannotFinishIsAbortedAndWritesGoOnOnTheOldEpoch() throws Exception {
        long refusedBefore = workload.refused();
        stopWriter("pg3");
        try {
            HttpResponse<String> cutover = post("/api/rebalances/" + rebalance + "/cutover", "");
            assertThat(cutover.statusCode()).as(cutover.body()).isEqualTo(409);
            assertThat(json(cutover).path("error").asText()).contains("aborted", "pg3 applied 0 of");
        } finally {
            startWriter("pg3");
        }
        assertThat(router.epoch()).isEqualTo(1);
        assertThat(state()).isEqualTo("VERIFIED");
        long acknowledged = workload.acknowledged();
        await("writes go on").atMost(Duration.ofSeconds(10)).until(() -> workload.acknowledged() > acknowledged + 20);
        log.info("aborted fence: {} writes refused while it held moving keys", workload.refused() - refusedBefore);
    }

    @Test
    @Order(6)
    void aFenceInterruptedByAKillIsWithdrawnAndTriedAgain() throws Exception {
        stopWriter("pg3");
        CompletableFuture<HttpResponse<String>> cutover = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/api/rebalances/" + rebalance + "/cutover", "");
            } catch (Exception e) {
                return null; // the service dies under the call
            }
        });
        await("fencing").atMost(Duration.ofSeconds(20)).until(() -> state().equals("FENCING"));
        killLeader();
        startWriter("pg3");
        cutover.join();
        takeOver();
        await("cut over after the restart").atMost(Duration.ofSeconds(60)).until(() -> state().equals("CUT_OVER"));
        await("the router on the new epoch").atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == 2);
    }

    @Test
    @Order(7)
    void cutOverSurvivesAKill() throws Exception {
        killAndRestart();
        assertThat(state()).isEqualTo("CUT_OVER");
    }

    @Test
    @Order(8)
    void cleanupInterruptedByAKillResumesAndCompletes() throws Exception {
        assertThat(post("/api/rebalances/" + rebalance + "/complete", "").statusCode()).isEqualTo(200);
        assertThat(state()).isEqualTo("COMPLETING");
        killAndRestart();
        await("completed after the restart").atMost(Duration.ofSeconds(120)).until(() -> state().equals("COMPLETED"));
        assertLayout();
    }

    @Test
    @Order(9)
    void aCancelBeforeCutoverInterruptedByAKillLeavesTheLayoutAsItWas() throws Exception {
        rebalance = json(post("/api/rebalances", "{\"remove\": [\"pg3\"]}")).path("id").asText();
        assertThat(post("/api/rebalances/" + rebalance + "/start", "").statusCode()).isEqualTo(200);
        await("catching up").atMost(Duration.ofSeconds(90)).until(() -> state().equals("CATCHING_UP"));
        assertThat(post("/api/rebalances/" + rebalance + "/cancel", "").statusCode()).isEqualTo(200);
        killAndRestart();
        await("cancelled").atMost(Duration.ofSeconds(120)).until(() -> state().equals("CANCELLED"));
        assertThat(router.epoch()).isEqualTo(2);
        assertLayout();
    }

    @Test
    @Order(10)
    void aRollbackAfterCutoverInterruptedByKillsInItsFenceAndCleanupLeavesTheLayoutAsItWas() throws Exception {
        rebalance = json(post("/api/rebalances", "{\"remove\": [\"pg3\"]}")).path("id").asText();
        assertThat(post("/api/rebalances/" + rebalance + "/start", "").statusCode()).isEqualTo(200);
        await("catching up").atMost(Duration.ofSeconds(90)).until(() -> state().equals("CATCHING_UP"));
        HttpResponse<String> unverified = post("/api/rebalances/" + rebalance + "/cutover", "");
        assertThat(unverified.statusCode()).as(unverified.body()).isEqualTo(409);
        assertThat(json(unverified).path("error").asText()).contains("no verify has run since the catch-up began",
                "--force");
        assertThat(post("/api/rebalances/" + rebalance + "/complete", "{\"force\": true}").statusCode())
                .as("force is for cutover only").isEqualTo(400);
        await("cut over, forced").atMost(Duration.ofSeconds(60)).until(() -> post("/api/rebalances/" + rebalance
                + "/cutover", "{\"force\": true}").statusCode() == 200);
        assertThat(json(get("/api/rebalances/" + rebalance)).path("rebalance").path("history").toString())
                .contains("forced by the operator although no verify has run since the catch-up began");
        await("the router on epoch 3").atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == 3);
        // the reverse fence cannot finish while the old owner's writer is away: kill the service during it
        stopWriter("pg3");
        CompletableFuture<HttpResponse<String>> rollback = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/api/rebalances/" + rebalance + "/rollback", "");
            } catch (Exception e) {
                return null; // the service dies under the call
            }
        });
        await("rolling back").atMost(Duration.ofSeconds(20)).until(() -> state().equals("ROLLING_BACK"));
        killLeader();
        startWriter("pg3");
        rollback.join();
        takeOver();
        await("the reverse fence done after the restart").atMost(Duration.ofSeconds(60))
                .until(() -> state().equals("ROLLING_BACK_CLEANUP") || state().equals("ROLLED_BACK"));
        killAndRestart();
        await("rolled back").atMost(Duration.ofSeconds(120)).until(() -> state().equals("ROLLED_BACK"));
        await("the router on epoch 4").atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == 4);
        assertLayout();
    }

    /** Every acknowledged write on its owner under the topology in force, and no row elsewhere. */
    private static void assertLayout() throws Exception {
        workload.pause();
        try {
            JsonNode topology = json(get("/api/topology"));
            Topology current = TopologyLoader.parse(json(get("/api/rebalances/" + rebalance)).path("rebalance")
                    .path(state().equals("COMPLETED") ? "toDocument" : "fromDocument").asText(), "layout", Map.of());
            assertThat(current.strategy().shards()).hasSize(topology.path("shards").size());
            List<String> problems = LayoutCheck.problems(testbed.shards(), current, workload.expected().values());
            assertThat(problems).as("acknowledged writes missing or regressed, rows on non-owners").isEmpty();
            log.info("layout after {} ({}): {} acknowledged writes in place, {} refused, {} in doubt", rebalance,
                    state(), workload.expected().size(), workload.refused(), workload.inDoubt());
        } finally {
            workload.resume();
        }
    }

    /** SIGKILL to the leading instance, and its standby takes over; the killed one comes back as the standby. */
    private static void killAndRestart() throws Exception {
        killLeader();
        takeOver();
    }

    private static void killLeader() throws Exception {
        services.get(leader).destroyForcibly().waitFor();
    }

    private static void takeOver() throws Exception {
        String dead = leader;
        String standby = dead.equals("a") ? "b" : "a";
        await(standby + " takes over").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> leads(standby));
        leader = standby;
        port = ports.get(standby);
        startService(dead);
    }

    private static boolean leads(String instance) throws Exception {
        return post(ports.get(instance), "/api/rebalances/none/start", "").statusCode() == 404; // a standby: 503
    }

    private static void startService(String instance) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        services.put(instance, new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                TopologyMain.class.getName(), dir.resolve("service-" + instance + ".yaml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("service-" + instance + "-" + (++starts) + ".log")
                        .toFile()).start());
    }

    private static void startWriter(String shard) {
        writers.put(shard, new WriterService(WriterOptions.defaults(ShopTopology.of(testbed.shards()), shard,
                testbed.kafka().bootstrapServers())).start());
    }

    private static void stopWriter(String shard) {
        writers.remove(shard).close();
    }

    private static String state() throws Exception {
        return json(get("/api/rebalances/" + rebalance)).path("rebalance").path("state").asText();
    }

    private static long lag() throws Exception {
        return json(get("/api/rebalances/" + rebalance)).path("lag").asLong(Long.MAX_VALUE);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The service's verify job, read with the token (verify results hold row values). */
    private static JsonNode verifyJob() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/verify")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).path("job");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return post(port, path, body);
    }

    private static HttpResponse<String> post(int to, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to + path))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return EventJson.mapper().readTree(response.body());
    }
}
