package dev.shardflow.topology.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API's requests say, read strictly: a body that is not the JSON asked for, an unknown field or a value
 * of the wrong kind is a {@link BadRequest} naming what to send instead.
 */
final class ApiRequests {
    private static final ObjectMapper JSON = EventJson.mapper();

    private ApiRequests() {}

    /** {@code {"all": true}} or no body: whether to verify every shard and table, or only the moving rows. */
    static boolean all(HttpExchange exchange) throws IOException {
        return flag(exchange, "verify", "all");
    }

    /** {@code {"force": true}} (cutover only) or no body. */
    static boolean force(HttpExchange exchange, Action action) throws IOException {
        boolean force = flag(exchange, action.verb(), "force");
        if (force && action != Action.CUTOVER) {
            throw new BadRequest("force applies to cutover only, not to " + action.verb());
        }
        return force;
    }

    /** {@code {"maxRowsPerSecond": N}}: the throttle's rate, 0 for none; required. */
    static long maxRowsPerSecond(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        if (!body.isObject()) {
            throw new BadRequest("the throttle request must be a JSON object: {\"maxRowsPerSecond\": N}");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!field.equals("maxRowsPerSecond")) {
                throw new BadRequest("unknown field '" + field + "'; known: [maxRowsPerSecond]");
            }
        });
        JsonNode rate = body.path("maxRowsPerSecond");
        if (!rate.isIntegralNumber() || rate.asLong() < 0) {
            throw new BadRequest("maxRowsPerSecond: give a whole number of change records per second, 0 for no "
                    + "limit");
        }
        return rate.asLong();
    }

    /** Whether a plan request only asks what would be planned ({@code "dryRun": true}). */
    static boolean dryRun(JsonNode body) {
        JsonNode flag = body.path("dryRun");
        if (!flag.isMissingNode() && !flag.isBoolean()) {
            throw new BadRequest("dryRun: give true or false");
        }
        return flag.asBoolean(false);
    }

    /** A request body that is empty or a JSON object with at most one boolean field, {@code name}. */
    private static boolean flag(HttpExchange exchange, String request, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(1 << 16);
        }
        if (bytes.length == 0) {
            return false;
        }
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new BadRequest("the " + request + " request is not JSON: " + e.getMessage());
        }
        if (body == null || body.isMissingNode()) {
            return false;
        }
        if (!body.isObject()) {
            throw new BadRequest("the " + request + " request must be a JSON object: {\"" + name + "\": true}");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!field.equals(name)) {
                throw new BadRequest("unknown field '" + field + "'; known: [" + name + "]");
            }
        });
        if (body.has(name) && !body.get(name).isBoolean()) {
            throw new BadRequest(name + ": give true or false");
        }
        return body.path(name).asBoolean(false);
    }

    /** The plan request: shards to add and remove with their weights, or a whole topology document. */
    static Planner.Request plan(JsonNode body) {
        if (!body.isObject()) {
            throw new BadRequest("the plan request must be a JSON object: {\"add\": [...], \"remove\": [...], "
                    + "\"weights\": {...}} or {\"topology\": \"...\"}");
        }
        List<String> known = List.of("add", "remove", "weights", "topology", "dryRun");
        body.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                throw new BadRequest("unknown field '" + field + "'; known: " + known);
            }
        });
        List<JsonNode> add = new ArrayList<>();
        body.path("add").forEach(add::add);
        List<String> remove = new ArrayList<>();
        for (JsonNode id : body.path("remove")) {
            if (!id.isTextual()) {
                throw new BadRequest("remove: give shard ids as strings");
            }
            remove.add(id.asText());
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        body.path("weights").fields().forEachRemaining(e -> {
            if (!e.getValue().isNumber() || e.getValue().asDouble() <= 0) {
                throw new BadRequest("weights." + e.getKey() + ": give a positive number");
            }
            weights.put(e.getKey(), e.getValue().asDouble());
        });
        String topology = body.hasNonNull("topology") ? body.get("topology").asText() : null;
        return new Planner.Request(add, remove, weights, topology);
    }

    /** A JSON body, required. */
    static JsonNode body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(1 << 20);
            if (bytes.length == 0) {
                throw new BadRequest("the request has no body; send JSON");
            }
            return JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new BadRequest("the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A request that cannot be served as sent: answered 400 with the reason. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /** The {@code maxShare} of {@code GET /api/topology/rows}: a share above 0 and at most 1; 0.3 when not given. */
    static double maxShare(String text) {
        double share;
        try {
            share = text == null ? 0.3 : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new BadRequest("maxShare must be a number above 0 and at most 1 (0.3 for 30 %), was " + text);
        }
        if (!(share > 0 && share <= 1)) {
            throw new BadRequest("maxShare must be above 0 and at most 1 (0.3 for 30 %), was " + text);
        }
        return share;
    }
}
