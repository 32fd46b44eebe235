package dev.shardflow.topology.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.strategy.MoveRange;
import dev.shardflow.core.strategy.StrategyDiff;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.TokenRange;
import dev.shardflow.core.topology.Topology;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes a rebalance's target topology from the one in force and an operator's request — shards to add to the
 * ring (declared in the request, or already declared), shards to take out of it, new weights, or a whole target
 * document — and its plan: which share of the keys moves between which shards. The target's epoch is always the
 * current one plus one. A request that cannot be planned fails with the reason.
 */
public final class Planner {

    /**
     * What an operator asks for. {@code add}: shard entries as in the topology file (id, engine, jdbcUrl, user,
     * password reference, weight), or just an id already declared; {@code remove}: shard ids;
     * {@code weights}: shard id to weight; {@code topology}: a whole target document instead of the others.
     */
    public record Request(List<JsonNode> add, List<String> remove, Map<String, Double> weights, String topology) {
        public Request {
            add = add == null ? List.of() : List.copyOf(add);
            remove = remove == null ? List.of() : List.copyOf(remove);
            weights = weights == null ? Map.of() : Map.copyOf(weights);
        }

        public static Request addShard(JsonNode shard) {
            return new Request(List.of(shard), null, null, null);
        }
    }

    /** A planned target: its document and its plan. */
    public record Target(String document, Topology topology, Rebalance.Plan plan) {}

    private Planner() {}

    /**
     * @throws IllegalArgumentException if the request is empty, names unknown shards, leaves the ring empty, changes
     *     nothing, or yields an invalid topology (with every problem)
     */
    public static Target plan(String currentDocument, Request request) {
        Topology current = TopologyLoader.parse(currentDocument, "the topology in force", Map.of());
        String target;
        if (request.topology() != null) {
            if (!request.add().isEmpty() || !request.remove().isEmpty() || !request.weights().isEmpty()) {
                throw new IllegalArgumentException("give either a whole target topology or add/remove/weights, not both");
            }
            target = withEpoch(TopologyLoader.resolve(request.topology(), "the target topology", Map.of()),
                    current.epoch() + 1);
        } else {
            target = edit(currentDocument, current, request);
        }
        Topology next;
        try {
            next = TopologyLoader.parse(target, "the target topology", Map.of());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!next.keyspace().equals(current.keyspace())) {
            throw new IllegalArgumentException("the target topology is of keyspace " + next.keyspace() + ", not "
                    + current.keyspace());
        }
        if (!next.topicPrefix().equals(current.topicPrefix()) || !next.tables().equals(current.tables())) {
            throw new IllegalArgumentException("a rebalance moves keys between shards; it cannot change the topic "
                    + "prefix or the tables");
        }
        for (var shard : current.shards()) {
            if (next.shard(shard.id()).isEmpty()) {
                throw new IllegalArgumentException("shard " + shard.id() + " disappears from the target; take it out "
                        + "of the ring (remove) and keep it declared until the rebalance is complete");
            }
        }
        StrategyDiff diff;
        try {
            diff = StrategyDiff.between(current.strategy(), next.strategy());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot plan: " + e.getMessage(), e);
        }
        if (diff.isEmpty()) {
            throw new IllegalArgumentException("the target places every key where it is now; nothing to rebalance");
        }
        BigInteger tokens = current.strategy() instanceof HashRing ring ? ring.hash().tokenCount() : null;
        return new Target(target, next, plan(diff, tokens));
    }

    private static String edit(String currentDocument, Topology current, Request request) {
        if (request.add().isEmpty() && request.remove().isEmpty() && request.weights().isEmpty()) {
            throw new IllegalArgumentException("nothing asked: add shards, remove shards, change weights, or give "
                    + "a target topology");
        }
        ObjectNode tree = read(currentDocument);
        ArrayNode shards = (ArrayNode) tree.withArray("shards");
        ObjectNode strategy = tree.with("strategy");
        String type = strategy.path("type").asText("hash");
        if (!type.equals("hash")) {
            throw new IllegalArgumentException("add/remove/weights edit a hash ring; this keyspace uses a " + type
                    + " strategy: give the whole target topology instead");
        }
        List<String> ring = new ArrayList<>();
        if (strategy.has("shards")) {
            strategy.get("shards").forEach(s -> ring.add(s.asText()));
        } else {
            current.shards().forEach(s -> ring.add(s.id()));
        }
        for (JsonNode added : request.add()) {
            String id = added.isTextual() ? added.asText() : added.path("id").asText(null);
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("add: each shard needs an id");
            }
            if (ring.contains(id)) {
                throw new IllegalArgumentException("add: shard " + id + " is already in the ring");
            }
            boolean declared = current.shard(id).isPresent();
            if (!declared && !added.isObject()) {
                throw new IllegalArgumentException("add: shard " + id + " is not declared; give its id, engine, "
                        + "jdbcUrl, user and password ({env} or {file})");
            }
            if (!declared) {
                shards.add(added);
            }
            ring.add(id);
        }
        for (String id : request.remove()) {
            if (!ring.remove(id)) {
                throw new IllegalArgumentException("remove: shard " + id + " is not in the ring " + ring);
            }
        }
        if (ring.isEmpty()) {
            throw new IllegalArgumentException("the ring would have no shard left");
        }
        request.weights().forEach((id, weight) -> {
            ObjectNode entry = null;
            for (JsonNode shard : shards) {
                if (id.equals(shard.path("id").asText())) {
                    entry = (ObjectNode) shard;
                }
            }
            if (entry == null) {
                throw new IllegalArgumentException("weights: shard " + id + " is not declared");
            }
            entry.put("weight", weight);
        });
        ArrayNode ringNode = strategy.putArray("shards");
        ring.forEach(ringNode::add);
        tree.put("epoch", current.epoch() + 1);
        return tree.toString();
    }

    /** The same document under another epoch. */
    static String withEpoch(String document, long epoch) {
        ObjectNode tree = read(document);
        tree.put("epoch", epoch);
        return tree.toString();
    }

    private static ObjectNode read(String document) {
        try {
            JsonNode tree = EventJson.mapper().readTree(document);
            if (!(tree instanceof ObjectNode object)) {
                throw new IllegalArgumentException("the topology document is not a mapping");
            }
            return object;
        } catch (IOException e) {
            // documents in force are published resolved, as JSON; a YAML one is read through the loader
            return read(TopologyLoader.resolve(document, "the topology in force", Map.of()));
        }
    }

    /** @param tokens the ring's token count, or null for a strategy whose moved share depends on the data */
    static Rebalance.Plan plan(StrategyDiff diff, BigInteger tokens) {
        Map<String, Double> perPair = new LinkedHashMap<>();
        for (MoveRange move : diff.moves()) {
            Double share = null;
            if (move instanceof TokenRange range && tokens != null) {
                share = new BigDecimal(range.size()).divide(new BigDecimal(tokens), MathContext.DECIMAL64).doubleValue();
            }
            String pair = move.from() + "\u0000" + move.to();
            if (share == null) {
                perPair.put(pair, null);
            } else {
                perPair.merge(pair, share, Double::sum);
            }
        }
        List<Rebalance.Move> moves = new ArrayList<>();
        perPair.forEach((pair, share) -> {
            String[] ends = pair.split("\u0000");
            moves.add(new Rebalance.Move(ends[0], ends[1], share));
        });
        return new Rebalance.Plan(diff.movedFraction().isPresent() ? diff.movedFraction().getAsDouble() : null, moves);
    }
}
