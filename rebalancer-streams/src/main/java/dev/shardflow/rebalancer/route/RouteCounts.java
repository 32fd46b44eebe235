package dev.shardflow.rebalancer.route;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many changes took each way through the router ({@code shardflow.rebalancer.changes}, tagged {@code outcome}):
 * forwarded, fence, rejected, tombstone, and each {@link Decision.Skip} — non-owner changes above all, which are
 * never forwarded and must be visible.
 */
public final class RouteCounts {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public RouteCounts(MeterRegistry registry) {
        this.registry = registry;
    }

    public void count(String outcome) {
        counters.computeIfAbsent(outcome, o -> Counter.builder("shardflow.rebalancer.changes").tag("outcome", o)
                .description("changes read from the change topics, by what became of them").register(registry))
                .increment();
    }

    public void count(Decision decision) {
        count(outcomeOf(decision));
    }

    public long get(String outcome) {
        Counter counter = counters.get(outcome);
        return counter == null ? 0 : (long) counter.count();
    }

    public static String outcomeOf(Decision decision) {
        if (decision instanceof Decision.Forward) {
            return "forwarded";
        }
        if (decision instanceof Decision.Replicate) {
            return "replicated";
        }
        if (decision instanceof Decision.Fence) {
            return "fence";
        }
        if (decision instanceof Decision.Skip skip) {
            return skip.name().toLowerCase(Locale.ROOT);
        }
        if (decision instanceof Decision.Poison) {
            return "poison";
        }
        return "rejected";
    }
}
