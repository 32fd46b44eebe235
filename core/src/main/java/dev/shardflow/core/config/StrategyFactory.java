package dev.shardflow.core.config;

import dev.shardflow.core.config.TopologyDocument.RangeEntry;
import dev.shardflow.core.config.TopologyDocument.StrategyEntry;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingHash;
import dev.shardflow.core.strategy.CompositeStrategy;
import dev.shardflow.core.strategy.KeyType;
import dev.shardflow.core.strategy.ListStrategy;
import dev.shardflow.core.strategy.RangeStrategy;
import dev.shardflow.core.strategy.ShardingStrategy;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the sharding strategy of a topology file, reporting each problem with the field it is in. */
final class StrategyFactory {
    private final Map<String, Double> weights;
    private final Problems problems;

    /** @param weights the weight of every declared shard, in declaration order */
    StrategyFactory(Map<String, Double> weights, Problems problems) {
        this.weights = weights;
        this.problems = problems;
    }

    /** The strategy, or null when problems were found (they are in {@code problems}). */
    ShardingStrategy build(StrategyEntry entry, String field) {
        if (entry == null) {
            problems.add(field, "missing; add a strategy, for example {type: hash, vnodes: 150}");
            return null;
        }
        String type = entry.type() == null ? "hash" : entry.type();
        return switch (type) {
            case "hash" -> ring(entry, field);
            case "range" -> ranges(entry, field, weights.keySet(), "shard");
            case "list" -> list(entry, field);
            case "composite" -> composite(entry, field);
            default -> {
                problems.add(field + ".type", "unknown strategy type '" + type + "'; use hash, range, list or composite");
                yield null;
            }
        };
    }

    private HashRing ring(StrategyEntry entry, String field) {
        int before = problems.size();
        RingHash hash = RingHash.XXH3;
        if (entry.hash() != null) {
            try {
                hash = RingHash.fromConfigName(entry.hash());
            } catch (IllegalArgumentException e) {
                problems.add(field + ".hash", e.getMessage());
            }
        }
        int vnodes = entry.vnodes() == null ? HashRing.DEFAULT_VNODES : entry.vnodes();
        if (vnodes <= 0) {
            problems.add(field + ".vnodes", "must be positive, was " + vnodes + "; 150 is a good default");
        }
        List<String> members = entry.shards() == null ? List.copyOf(weights.keySet()) : entry.shards();
        if (members.isEmpty()) {
            problems.add(field + ".shards", "a ring needs at least one shard");
        }
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < members.size(); i++) {
            String shard = members.get(i);
            if (!weights.containsKey(shard)) {
                problems.add(field + ".shards[" + i + "]", unknownShard(shard));
            } else if (!seen.add(shard)) {
                problems.add(field + ".shards[" + i + "]", "shard " + shard + " is on the ring twice; list it once");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        HashRing.Builder builder = HashRing.builder().hash(hash).vnodes(vnodes);
        members.forEach(shard -> builder.shard(shard, weights.get(shard)));
        return builder.build();
    }

    private RangeStrategy ranges(StrategyEntry entry, String field, Set<String> targets, String targetKind) {
        int before = problems.size();
        KeyType keyType = null;
        try {
            keyType = KeyType.fromConfigName(entry.keyType());
        } catch (IllegalArgumentException e) {
            problems.add(field + ".keyType", e.getMessage());
        }
        List<RangeEntry> ranges = entry.ranges() == null ? List.of() : entry.ranges();
        if (ranges.isEmpty()) {
            problems.add(field + ".ranges", "no ranges; list them as {below: <upper bound>, " + targetKind + ": <id>}");
        }
        Comparable<Object> previous = null;
        for (int i = 0; i < ranges.size(); i++) {
            RangeEntry range = ranges.get(i);
            String at = field + ".ranges[" + i + "]";
            if (range.shard() == null || !targets.contains(range.shard())) {
                problems.add(at + "." + targetKind, range.shard() == null ? "missing" : unknown(targetKind, range.shard()));
            }
            if (range.below() == null) {
                problems.add(at + ".below", "missing upper bound");
            } else if (keyType != null) {
                try {
                    @SuppressWarnings("unchecked")
                    Comparable<Object> bound = (Comparable<Object>) keyType.coerce(range.below());
                    if (previous != null && bound.compareTo(previous) <= 0) {
                        problems.add(at + ".below", "bound " + range.below() + " is not above the previous bound; "
                                + "list ranges in ascending order without overlap");
                    }
                    previous = bound;
                } catch (IllegalArgumentException e) {
                    problems.add(at + ".below", e.getMessage());
                }
            }
        }
        if (entry.catchAll() != null && !targets.contains(entry.catchAll())) {
            problems.add(field + ".catchAll", unknown(targetKind, entry.catchAll()));
        }
        if (problems.size() > before) {
            return null;
        }
        RangeStrategy.Builder builder = RangeStrategy.builder(keyType);
        ranges.forEach(range -> builder.below(range.below(), range.shard()));
        return builder.catchAll(entry.catchAll()).build();
    }

    private ListStrategy list(StrategyEntry entry, String field) {
        int before = problems.size();
        Map<String, List<String>> values = entry.values() == null ? Map.of() : entry.values();
        Map<String, String> owners = new HashMap<>();
        values.forEach((shard, listed) -> {
            if (!weights.containsKey(shard)) {
                problems.add(field + ".values." + shard, unknownShard(shard));
            }
            for (String value : listed == null ? List.<String>of() : listed) {
                String previous = owners.putIfAbsent(value, shard);
                if (previous != null) {
                    problems.add(field + ".values." + shard, "value '" + value + "' is also listed for " + previous
                            + "; list each value once");
                }
            }
        });
        if (entry.defaultShard() != null && !weights.containsKey(entry.defaultShard())) {
            problems.add(field + ".default", unknownShard(entry.defaultShard()));
        }
        if (values.isEmpty() && entry.defaultShard() == null) {
            problems.add(field + ".values", "no values and no default; map values to shards");
        }
        if (problems.size() > before) {
            return null;
        }
        ListStrategy.Builder builder = ListStrategy.builder();
        values.forEach((shard, listed) -> builder.values(shard, listed == null ? List.of() : listed));
        return builder.defaultShard(entry.defaultShard()).build();
    }

    private CompositeStrategy composite(StrategyEntry entry, String field) {
        Map<String, StrategyEntry> ringEntries = entry.rings() == null ? Map.of() : entry.rings();
        if (entry.groups() == null) {
            problems.add(field + ".groups", "missing; give the range strategy that maps the first value to a group");
            return null;
        }
        RangeStrategy groups = ranges(entry.groups(), field + ".groups", ringEntries.keySet(), "group");
        Map<String, HashRing> rings = new LinkedHashMap<>();
        ringEntries.forEach((group, ring) -> rings.put(group, ring(ring, field + ".rings." + group)));
        if (groups == null || rings.containsValue(null)) {
            return null;
        }
        return new CompositeStrategy(groups, rings);
    }

    private static String unknownShard(String shard) {
        return unknown("shard", shard);
    }

    private static String unknown(String kind, String id) {
        return "unknown " + kind + " '" + id + "'; declare it" + (kind.equals("shard") ? " under shards" : " under rings")
                + " or fix the name";
    }
}
