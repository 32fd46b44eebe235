package dev.shardflow.topology.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.process.Health;
import dev.shardflow.process.HealthEndpoint;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.WorkflowException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP face: the JSON API, the dashboard and the Prometheus endpoint, on the JDK's HTTP server — over
 * HTTPS when given a TLS context ({@link ApiTls}).
 *
 * <p>Every mutating call ({@code POST}) needs {@code Authorization: Bearer <token>}: none gives 401, a wrong one 403.
 * So does every read that returns row values: {@code GET /api/verify}; the rebalances' status and list answer
 * without the token too, but with their verify's differing rows left out. With {@code readsNeedToken} every read
 * does, but for {@code /health/*} and the dashboard's page itself (which then asks for the token). A body that is not the JSON asked for gives 400, a step the rebalance's state does not allow 409,
 * an unknown rebalance 404, a standby instance 503 — each with {@code {"error": "..."}} saying why. The token is
 * compared in constant time and never logged or echoed.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = EventJson.mapper();

    private final HttpServer server;
    private final ApiBackend backend;
    private final byte[] token;
    private final Supplier<String> metrics;
    private final Health health;
    private final boolean readsNeedToken;
    private final String scheme;

    /**
     * @param token the bearer token mutating calls must carry
     * @param metrics the Prometheus text of the service's meters
     */
    public ApiServer(String host, int port, ApiBackend backend, String token, Supplier<String> metrics)
            throws IOException {
        this(host, port, backend, token, metrics, List::of);
    }

    /**
     * The API with the process's health: {@code /health/live} and {@code /health/ready} as every shardflow process
     * serves them ({@link HealthEndpoint}), open like every read.
     */
    public ApiServer(String host, int port, ApiBackend backend, String token, Supplier<String> metrics,
            Health health) throws IOException {
        this(host, port, backend, token, metrics, health, null, false);
    }

    /**
     * @param tls the server's certificate and key for HTTPS, or null for plain HTTP
     * @param readsNeedToken whether every read but the health checks needs the token too
     */
    public ApiServer(String host, int port, ApiBackend backend, String token, Supplier<String> metrics,
            Health health, SSLContext tls, boolean readsNeedToken) throws IOException {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("api.token: missing; give the API a bearer token (env or file)");
        }
        this.backend = backend;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.metrics = metrics;
        this.health = health;
        this.readsNeedToken = readsNeedToken;
        this.scheme = tls == null ? "http" : "https";
        if (tls == null) {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "topology-api");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", this::handle);
    }

    public ApiServer start() {
        server.start();
        log.info("topology API and dashboard at {}://{}:{}/ (mutating calls{} need the token)", scheme,
                server.getAddress().getHostString(), port(), readsNeedToken ? " and reads" : " and row values");
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            List<String> path = segments(exchange.getRequestURI().getPath());
            try {
                if (method.equals("GET")) {
                    boolean open = path.isEmpty() || path.equals(List.of("index.html")) || path.get(0).equals("health");
                    if (open || !readsNeedToken || authorized(exchange, "reads need the API token here")) {
                        get(exchange, path);
                    }
                } else if (method.equals("POST")) {
                    if (authorized(exchange, "this call changes the topology")) {
                        post(exchange, path);
                    }
                } else {
                    error(exchange, 405, "method " + method + " is not served; use GET or POST");
                }
            } catch (WorkflowException e) {
                error(exchange, switch (e.kind()) {
                    case INVALID -> 400;
                    case CONFLICT -> 409;
                    case NOT_FOUND -> 404;
                    case NOT_LEADER -> 503;
                }, e.getMessage());
            } catch (ApiRequests.BadRequest e) {
                error(exchange, 400, e.getMessage());
            } catch (RuntimeException e) {
                log.error("API {} {} failed", method, exchange.getRequestURI().getPath(), e);
                error(exchange, 500, "internal error: " + e.getMessage());
            }
        }
    }

    private void get(HttpExchange exchange, List<String> path) throws IOException {
        if (path.isEmpty() || path.equals(List.of("index.html"))) {
            send(exchange, 200, "text/html; charset=utf-8", Dashboard.page());
        } else if (path.equals(List.of("health", "live"))) {
            HealthEndpoint.Answer answer = HealthEndpoint.live();
            send(exchange, answer.status(), "application/json", answer.body());
        } else if (path.equals(List.of("health", "ready"))) {
            HealthEndpoint.Answer answer = HealthEndpoint.ready(health);
            send(exchange, answer.status(), "application/json", answer.body());
        } else if (path.equals(List.of("metrics"))) {
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.get().getBytes(StandardCharsets.UTF_8));
        } else if (path.equals(List.of("api", "topology"))) {
            json(exchange, 200, backend.topology());
        } else if (path.equals(List.of("api", "topology", "rows"))) {
            json(exchange, 200, backend.rows(ApiRequests.maxShare(query(exchange, "maxShare"))));
        } else if (path.equals(List.of("api", "route"))) {
            String key = query(exchange, "key");
            if (key == null || key.isBlank()) {
                throw new ApiRequests.BadRequest("give the shard key: /api/route?key=...");
            }
            json(exchange, 200, backend.route(key));
        } else if (path.equals(List.of("api", "rebalances"))) {
            json(exchange, 200, backend.rebalanceList(tokenGiven(exchange)));
        } else if (path.size() == 3 && path.get(0).equals("api") && path.get(1).equals("rebalances")) {
            json(exchange, 200, backend.status(path.get(2), tokenGiven(exchange)));
        } else if (path.equals(List.of("api", "verify"))) {
            if (authorized(exchange, "verify results hold row values")) {
                json(exchange, 200, backend.verifyStatus());
            }
        } else if (path.equals(List.of("api", "capture"))) {
            json(exchange, 200, backend.captureStatus());
        } else if (path.equals(List.of("api", "transactions"))) {
            json(exchange, 200, backend.transactions());
        } else {
            error(exchange, 404, "no such resource: " + exchange.getRequestURI().getPath());
        }
    }

    private void post(HttpExchange exchange, List<String> path) throws IOException {
        if (path.equals(List.of("api", "rebalances"))) {
            JsonNode body = ApiRequests.body(exchange);
            boolean dryRun = ApiRequests.dryRun(body);
            json(exchange, dryRun ? 200 : 201, backend.plan(ApiRequests.plan(body), dryRun));
        } else if (path.size() == 4 && path.get(0).equals("api") && path.get(1).equals("rebalances")) {
            Action action;
            try {
                action = Action.valueOf(path.get(3).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiRequests.BadRequest("unknown action '" + path.get(3) + "'; one of start, verify, "
                        + "cutover, complete, cancel, rollback, pause, resume, throttle");
            }
            if (action == Action.THROTTLE) {
                json(exchange, 200, backend.throttle(path.get(2), ApiRequests.maxRowsPerSecond(exchange)));
                return;
            }
            boolean force = ApiRequests.force(exchange, action);
            json(exchange, action == Action.VERIFY ? 202 : 200, backend.perform(path.get(2), action, force));
        } else if (path.equals(List.of("api", "verify"))) {
            json(exchange, 202, backend.verify(ApiRequests.all(exchange)));
        } else if (path.size() == 4 && path.get(0).equals("api") && path.get(1).equals("shards")
                && (path.get(3).equals("hold") || path.get(3).equals("release"))) {
            json(exchange, 200, backend.hold(path.get(2), path.get(3).equals("hold")));
        } else {
            error(exchange, 404, "no such resource: " + exchange.getRequestURI().getPath());
        }
    }

    /** Whether the request carries the right token; says 401 or 403 with {@code why} when it does not. */
    private boolean authorized(HttpExchange exchange, String why) throws IOException {
        if (bearer(exchange) == null) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"shardflow\"");
            error(exchange, 401, why + ": send Authorization: Bearer <token>");
            return false;
        }
        if (!tokenGiven(exchange)) {
            log.warn("API: refused {} {} from {}: wrong bearer token", exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), exchange.getRemoteAddress().getAddress().getHostAddress());
            error(exchange, 403, "the bearer token is not the API's token");
            return false;
        }
        return true;
    }

    /** Whether the request carries the right bearer token; compared in constant time. */
    private boolean tokenGiven(HttpExchange exchange) {
        String given = bearer(exchange);
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
    }

    /** The bearer token the request carries, or null without an {@code Authorization: Bearer} header. */
    private static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) ? null : header.substring(7).trim();
    }

    private static String query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                segments.add(part);
            }
        }
        return segments;
    }

    private static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(value));
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, Map.of("error", message));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A request that cannot be right as sent. */

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
