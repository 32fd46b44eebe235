package dev.shardflow.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {
    private final List<Health.Loop> loops = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HealthEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        loops.add(new Health.Loop("capture pg1", true, "RUNNING", null));
        loops.add(new Health.Loop("capture maria1", true, "RUNNING", null));
        endpoint = HealthEndpoint.start("127.0.0.1", 0, () -> List.copyOf(loops),
                () -> "# TYPE shardflow_capture_events_total counter\nshardflow_capture_events_total 3.0\n");
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyWhileEveryLoopRunsAndNotWhenOneStopped() throws Exception {
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"").contains("capture maria1");

        loops.set(1, new Health.Loop("capture maria1", false, "FAILED", "failed after 10 restarts in a row: refused"));
        HttpResponse<String> notReady = get("/health/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("\"status\":\"DOWN\"").contains("\"state\":\"FAILED\"")
                .contains("failed after 10 restarts in a row: refused");
        assertThat(get("/health/live").statusCode()).as("alive all the same").isEqualTo(200);
    }

    @Test
    void metricsInThePrometheusTextFormat() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body()).contains("shardflow_capture_events_total 3.0");
    }

    @Test
    void anythingElseIsRefusedWithAReason() throws Exception {
        HttpResponse<String> unknown = get("/health");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("/health/ready");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + endpoint.port() + "/health/ready")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aPortInUseIsNamedAtStart() throws Exception {
        try {
            HealthEndpoint.start("127.0.0.1", endpoint.port(), List::of, () -> "");
            throw new AssertionError("a second endpoint bound the same port");
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).startsWith("http.port: cannot listen on 127.0.0.1:" + endpoint.port());
        }
    }
}
