package dev.shardflow.bench;

import java.util.Locale;

/**
 * The last lines of every benchmark, one per headline figure, exactly {@code bench: <name> = <number>}, so that a
 * run's figures can be collected by a script: ratios to the baseline of the same run with three decimals, rates as
 * whole numbers.
 */
public final class Headlines {

    private Headlines() {}

    /** A ratio to the baseline measured in the same run (1.0: as fast as the baseline). */
    public static void ratio(String name, double value) {
        System.out.printf(Locale.ROOT, "bench: %s = %.3f%n", name, value);
    }

    /** {@code <prefix>.ratio} and its rate beside it, {@code <prefix>.<rateName>}. */
    public static void ratioAndRate(String prefix, double ratio, String rateName, double perSecond) {
        ratio(prefix + ".ratio", ratio);
        rate(prefix + "." + rateName, perSecond);
    }

    /** A duration in milliseconds, with one decimal. */
    public static void millis(String name, double ms) {
        System.out.printf(Locale.ROOT, "bench: %s = %.1f%n", name, ms);
    }

    /** A count. */
    public static void count(String name, long count) {
        System.out.printf(Locale.ROOT, "bench: %s = %d%n", name, count);
    }

    /** An absolute rate, per second. */
    public static void rate(String name, double perSecond) {
        System.out.printf(Locale.ROOT, "bench: %s = %.0f%n", name, perSecond);
    }
}
