package dev.shardflow.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The health and metrics of a process over HTTP, for its supervisor and its scraper, on the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process answers at all;</li>
 *   <li>{@code GET /health/ready}: 200 while every loop runs ({@link Health}), else 503; both with each loop's
 *       name, state and, when it does not run, why;</li>
 *   <li>{@code GET /metrics}: the process's meters in the Prometheus text format.</li>
 * </ul>
 * Anything else is 404, any other method 405, each with {@code {"error": "..."}}.
 */
public final class HealthEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;
    private final Health health;
    private final Supplier<String> metrics;

    private HealthEndpoint(HttpServer server, java.util.concurrent.ExecutorService executor, Health health,
            Supplier<String> metrics) {
        this.server = server;
        this.executor = executor;
        this.health = health;
        this.metrics = metrics;
    }

    /**
     * Serves {@code health} and {@code metrics} on {@code host:port} (port 0: a free one).
     *
     * @throws IOException when the port cannot be bound; the message names it
     */
    public static HealthEndpoint start(String host, int port, Health health, Supplier<String> metrics)
            throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new IOException("http.port: cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
        java.util.concurrent.ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "health-endpoint");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        HealthEndpoint endpoint = new HealthEndpoint(server, executor, health, metrics);
        server.createContext("/", endpoint::handle);
        server.start();
        return endpoint;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, "application/json", error("method " + exchange.getRequestMethod()
                        + " is not served; use GET"));
            } else if (path.equals("/health/live")) {
                Answer answer = live();
                send(exchange, answer.status(), "application/json", answer.body());
            } else if (path.equals("/health/ready")) {
                Answer answer = ready(health);
                send(exchange, answer.status(), "application/json", answer.body());
            } else if (path.equals("/metrics")) {
                send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.get().getBytes(StandardCharsets.UTF_8));
            } else {
                send(exchange, 404, "application/json", error("no such resource: " + path
                        + "; served: /health/live, /health/ready, /metrics"));
            }
        }
    }

    /** An HTTP answer: its status and its JSON body. */
    public record Answer(int status, byte[] body) {}

    /** {@code /health/live}: 200, the process answers. */
    public static Answer live() throws IOException {
        return new Answer(200, JSON.writeValueAsBytes(JSON.createObjectNode().put("status", "UP")));
    }

    /**
     * {@code /health/ready}: 200 with {@code "status": "UP"} while every loop runs, else 503 with {@code "DOWN"}; both
     * list each loop's name, state and, when it does not run, why.
     */
    public static Answer ready(Health health) throws IOException {
        List<Health.Loop> loops = health.loops();
        boolean ready = loops.stream().allMatch(Health.Loop::running);
        ObjectNode body = JSON.createObjectNode().put("status", ready ? "UP" : "DOWN");
        ArrayNode list = body.putArray("loops");
        for (Health.Loop loop : loops) {
            ObjectNode item = list.addObject().put("name", loop.name()).put("state", loop.state())
                    .put("running", loop.running());
            if (!loop.detail().isEmpty()) {
                item.put("detail", loop.detail());
            }
        }
        return new Answer(ready ? 200 : 503, JSON.writeValueAsBytes(body));
    }

    private static byte[] error(String message) throws IOException {
        return JSON.writeValueAsBytes(JSON.createObjectNode().put("error", message));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
