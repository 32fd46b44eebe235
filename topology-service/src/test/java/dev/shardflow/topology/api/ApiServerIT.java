package dev.shardflow.topology.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.tls.TestCertificates;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The API on a real service and broker: reads open, mutations behind the bearer token (401 without, 403 wrong),
 * malformed or impossible requests refused with 400/404/409 and a reason, and neither the token nor a shard's
 * password in any response or log line.
 */
class ApiServerIT {
    private static final String TOKEN = "tok-3f9a1c77e2b54d0e";
    private static final String PASSWORD = "pw-very-secret-81d2";
    private static Testbed testbed;
    private static TopologyService service;
    private static ApiServer api;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static final List<String> bodies = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        testbed = Testbed.builder().kafkaBrokers(1).start();
        Path secret = Scratch.newDirectory("api").resolve("s.password");
        Files.writeString(secret, PASSWORD);
        StringBuilder yaml = new StringBuilder("keyspace: shop\nepoch: 1\nshards:\n");
        for (String id : List.of("s0", "s1", "s2", "s3", "s4")) {
            yaml.append("  - {id: ").append(id).append(", engine: postgresql, jdbcUrl: \"jdbc:postgresql://h/")
                    .append(id).append("\", user: u, password: {file: \"").append(secret).append("\"}}\n");
        }
        yaml.append("strategy: {type: hash, shards: [s0, s1, s2, s3]}\n")
                .append("tables:\n  - {name: users, primaryKey: [id], shardKey: id}\n");
        service = new TopologyService(TopologyServiceOptions.defaults(yaml.toString(),
                testbed.kafka().bootstrapServers()).withReplicationFactor(1).withInstanceId("api-test"),
                new SimpleMeterRegistry()).start();
        await("leading").atMost(Duration.ofSeconds(30)).until(service::leading);
        api = new ApiServer("127.0.0.1", 0, new dev.shardflow.topology.TopologyApi(service), TOKEN, () -> "# no metrics\n").start();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (service != null) {
            service.close();
        }
        if (testbed != null) {
            testbed.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, null);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return remember(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return remember(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static HttpResponse<String> remember(HttpResponse<String> response) {
        bodies.add(response.body());
        return response;
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return EventJson.mapper().readTree(response.body()).path("error").asText();
    }

    @Test
    void readsAreOpenMutationsNeedTheTokenAndBadRequestsSayWhy() throws Exception {
        HttpResponse<String> topology = get("/api/topology");
        assertThat(topology.statusCode()).isEqualTo(200);
        JsonNode ring = EventJson.mapper().readTree(topology.body());
        assertThat(ring.path("epoch").asLong()).isEqualTo(1);
        assertThat(ring.path("ring").path("arcs").size()).isGreaterThan(4);
        assertThat(get("/api/route?key=42").body()).contains("\"shard\"", "\"epoch\":1");
        assertThat(get("/api/route").statusCode()).isEqualTo(400);

        String plan = "{\"add\": [\"s4\"]}";
        HttpResponse<String> anonymous = post("/api/rebalances", null, plan);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(post("/api/rebalances", "wrong-token", plan).statusCode()).isEqualTo(403);

        HttpResponse<String> malformed = post("/api/rebalances", TOKEN, "{\"add\": [");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(error(malformed)).contains("not valid JSON");
        HttpResponse<String> unknownField = post("/api/rebalances", TOKEN, "{\"addd\": [\"s4\"]}");
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(error(unknownField)).contains("unknown field 'addd'");
        HttpResponse<String> unknownShard = post("/api/rebalances", TOKEN, "{\"remove\": [\"s9\"]}");
        assertThat(unknownShard.statusCode()).isEqualTo(400);
        assertThat(error(unknownShard)).contains("shard s9 is not in the ring");

        assertThat(post("/api/shards/s9/hold", TOKEN, "").statusCode()).isEqualTo(404);
        HttpResponse<String> held = post("/api/shards/s1/hold", TOKEN, "");
        assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
        assertThat(get("/api/topology").body()).contains("\"held\":[\"s1\"]");
        HttpResponse<String> whileHeld = post("/api/rebalances", TOKEN, plan);
        assertThat(whileHeld.statusCode()).isEqualTo(409);
        assertThat(error(whileHeld)).contains("being rebuilt");
        assertThat(post("/api/shards/s1/release", TOKEN, "").statusCode()).isEqualTo(200);
        assertThat(get("/api/topology").body()).doesNotContain("\"held\":[\"s1\"]");

        HttpResponse<String> planned = post("/api/rebalances", TOKEN, plan);
        assertThat(planned.statusCode()).isEqualTo(201);
        String id = EventJson.mapper().readTree(planned.body()).path("id").asText();
        assertThat(EventJson.mapper().readTree(planned.body()).path("state").asText()).isEqualTo("PLANNED");

        HttpResponse<String> second = post("/api/rebalances", TOKEN, plan);
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(error(second)).contains("rebalance " + id + " is PLANNED");
        HttpResponse<String> early = post("/api/rebalances/" + id + "/complete", TOKEN, "");
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(error(early)).contains("cannot complete rebalance " + id + ": it is PLANNED");
        assertThat(post("/api/rebalances/" + id + "/explode", TOKEN, "").statusCode()).isEqualTo(400);
        assertThat(post("/api/rebalances/r-none/start", TOKEN, "").statusCode()).isEqualTo(404);
        assertThat(get("/api/rebalances/" + id).statusCode()).isEqualTo(200);
        assertThat(post("/api/rebalances/" + id + "/cancel", TOKEN, "").statusCode()).isEqualTo(200);
        assertThat(get("/").body()).contains("<svg id=\"ring\"");

        assertThat(post("/api/verify", null, "{\"all\": true}").statusCode()).isEqualTo(401);
        HttpResponse<String> notBoolean = post("/api/verify", TOKEN, "{\"all\": \"yes\"}");
        assertThat(notBoolean.statusCode()).isEqualTo(400);
        assertThat(error(notBoolean)).contains("all: give true or false");
        assertThat(error(post("/api/verify", TOKEN, "{\"everything\": true}"))).contains("unknown field 'everything'");
        assertThat(post("/api/verify", TOKEN, "[true]").statusCode()).isEqualTo(400);
        HttpResponse<String> job = post("/api/verify", TOKEN, "{\"all\": true}");
        assertThat(job.statusCode()).as("a verify is a job, answered at once: " + job.body()).isEqualTo(202);
        String jobId = EventJson.mapper().readTree(job.body()).path("id").asText();
        assertThat(EventJson.mapper().readTree(job.body()).path("state").asText()).isEqualTo("RUNNING");
        HttpResponse<String> anonymousRead = get("/api/verify");
        assertThat(anonymousRead.statusCode()).as("verify results hold row values: no token, no read")
                .isEqualTo(401);
        assertThat(error(anonymousRead)).contains("verify results hold row values");
        assertThat(get("/api/verify", "wrong-token").statusCode()).isEqualTo(403);
        await("the verify job ends: its shards (h/...) cannot be reached").atMost(Duration.ofSeconds(60))
                .until(() -> EventJson.mapper().readTree(get("/api/verify", TOKEN).body()).path("job")
                        .path("state").asText().equals("FAILED"));
        JsonNode failed = EventJson.mapper().readTree(get("/api/verify", TOKEN).body()).path("job");
        assertThat(failed.path("id").asText()).isEqualTo(jobId);
        assertThat(failed.path("error").asText()).isNotBlank();
        HttpResponse<String> capture = get("/api/capture");
        assertThat(capture.statusCode()).isEqualTo(200);
        JsonNode captured = EventJson.mapper().readTree(capture.body()).path("shards");
        assertThat(captured.size()).as(capture.body()).isEqualTo(ring.path("shards").size());
        assertThat(captured.findValuesAsText("state")).as("no capture reports here").containsOnly("NO_REPORT");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);

        List<String> lines = new ArrayList<>(logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(bodies).isNotEmpty().noneMatch(b -> b.contains(TOKEN) || b.contains(PASSWORD));
        assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(TOKEN) || l.contains(PASSWORD) || l.contains("wrong-token"));
    }

    @Test
    void overHttpsWithReadsNeedingTheTokenOnlyHealthAndThePageAreOpen() throws Exception {
        TestCertificates certificates = TestCertificates.generate();
        SSLContext tls = ApiTls.fromKeyStore(certificates.keyStore(), certificates.password());
        try (ApiServer https = new ApiServer("127.0.0.1", 0, new dev.shardflow.topology.TopologyApi(service), TOKEN,
                () -> "# no metrics\n", List::of, tls, true).start()) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(certificates.trustStore())) {
                trusted.load(in, certificates.password().toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trust.getTrustManagers(), null);
            HttpClient secure = HttpClient.newBuilder().sslContext(client).build();
            String base = "https://localhost:" + https.port();

            assertThat(send(secure, base + "/api/topology", null).statusCode()).as("a read without the token")
                    .isEqualTo(401);
            assertThat(send(secure, base + "/metrics", null).statusCode()).isEqualTo(401);
            HttpResponse<String> read = send(secure, base + "/api/topology", TOKEN);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).contains("\"keyspace\":\"shop\"");
            assertThat(send(secure, base + "/health/live", null).statusCode()).isEqualTo(200);
            assertThat(send(secure, base + "/", null).body()).contains("<svg id=\"ring\"");
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + https.port()
                    + "/health/live")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("plain HTTP to the HTTPS port").isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> ApiTls.fromKeyStore(certificates.keyStore(), "not-the-password"))
                    .hasMessageContaining("cannot be opened with the given password")
                    .hasMessageNotContaining("not-the-password");
        }
    }

    private static HttpResponse<String> send(HttpClient client, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return remember(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }
}
