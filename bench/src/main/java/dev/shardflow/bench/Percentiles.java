package dev.shardflow.bench;

import java.util.List;

/** Nearest-rank percentiles of a sorted list of measurements, as the latency benchmarks report them. */
public final class Percentiles {

    private Percentiles() {}

    /** The value at percentile {@code p} (0.5, 0.99, 1.0 for the max) of {@code sorted}; 0 when it is empty. */
    public static double at(List<? extends Number> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))).doubleValue();
    }
}
