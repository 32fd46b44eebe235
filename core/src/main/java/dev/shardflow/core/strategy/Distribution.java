package dev.shardflow.core.strategy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How keys spread over shards: the count and share of each shard, the largest count over the mean, the coefficient
 * of variation of the counts, and a warning for every shard holding more than {@code hotspotFactor} times the
 * mean. Shards of the strategy that got no key count as zero.
 */
public record Distribution(Map<String, Long> counts, long total, double maxOverMean, double coefficientOfVariation,
        double hotspotFactor, List<String> warnings) {

    public static final double DEFAULT_HOTSPOT_FACTOR = 1.25;

    public Distribution {
        counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        warnings = List.copyOf(warnings);
    }

    /** Routes every key through the strategy and analyses where they landed. */
    public static Distribution of(ShardingStrategy strategy, Iterable<?> keys, double hotspotFactor) {
        Map<String, Long> counts = new LinkedHashMap<>();
        strategy.shards().forEach(shard -> counts.put(shard, 0L));
        for (Object key : keys) {
            counts.merge(strategy.ownerOf(key), 1L, Long::sum);
        }
        return ofCounts(counts, hotspotFactor);
    }

    public static Distribution ofCounts(Map<String, Long> counts, double hotspotFactor) {
        if (counts.isEmpty()) {
            throw new IllegalArgumentException("no shards to analyse");
        }
        if (!(hotspotFactor > 1)) {
            throw new IllegalArgumentException("hotspot factor must be above 1, was " + hotspotFactor);
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        double mean = (double) total / counts.size();
        double variance = counts.values().stream().mapToDouble(c -> (c - mean) * (c - mean)).sum() / counts.size();
        long max = counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<String> warnings = new ArrayList<>();
        counts.forEach((shard, count) -> {
            if (total > 0 && count > hotspotFactor * mean) {
                warnings.add(String.format("shard %s holds %.1f%% of keys, %.2f times the mean (warning above %.2f)",
                        shard, 100.0 * count / total, count / mean, hotspotFactor));
            }
        });
        return new Distribution(counts, total, mean == 0 ? 0 : max / mean,
                mean == 0 ? 0 : Math.sqrt(variance) / mean, hotspotFactor, warnings);
    }

    /** The fraction of all keys on {@code shard}. */
    public double share(String shard) {
        return total == 0 ? 0 : (double) counts.getOrDefault(shard, 0L) / total;
    }
}
