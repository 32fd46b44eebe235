package dev.shardflow.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardflow.core.event.EventJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The topology service's API as {@code shardctl} calls it: JSON in and out, the bearer token on every call when
 * there is one (reads of row values and, where the service says so, every read need it too), and errors turned into {@link ApiException}s that carry the service's reason. The token is
 * never printed.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = EventJson.mapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    /** @param token the bearer token, or null (reads still work; changes are refused with 401) */
    public ApiClient(URI base, String token, Duration timeout) {
        this(base, token, timeout, null);
    }

    /** @param tls the trust an {@code https} service is checked against, or null for the JVM's */
    public ApiClient(URI base, String token, Duration timeout, SSLContext tls) {
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    public JsonNode get(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request, path);
    }

    public JsonNode post(String path, Object body) {
        String text;
        try {
            text = body == null ? "" : body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write the request to " + path + ": " + e.getMessage(), e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(text));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request, path);
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException(0, "the topology service at " + base + " cannot be reached (" + describe(e)
                    + "); is it running, and is --api right?");
        } catch (HttpTimeoutException e) {
            throw new ApiException(0, "the topology service at " + base + " did not answer " + path + " within "
                    + timeout.toSeconds() + " s");
        } catch (javax.net.ssl.SSLException e) {
            throw new ApiException(0, "TLS with the topology service at " + base + " failed (" + describe(e)
                    + "); give its certificate with --api-ca FILE or SHARDFLOW_API_CA");
        } catch (IOException e) {
            throw new ApiException(0, "the topology service at " + base + " cannot be reached (" + describe(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted while calling " + path);
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ApiException(response.statusCode(), base + path + " answered " + response.statusCode()
                    + " with something that is not JSON; is --api the topology service?");
        }
        if (response.statusCode() >= 300) {
            String reason = body.path("error").asText("");
            throw new ApiException(response.statusCode(), (reason.isEmpty() ? "the topology service answered "
                    + response.statusCode() : reason) + hint(response.statusCode()));
        }
        return body;
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> " (give the token: --token-file FILE, or SHARDFLOW_API_TOKEN)";
            case 403 -> " (the token is not the service's)";
            case 503 -> " (this instance is a standby; ask the leader)";
            default -> "";
        };
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
