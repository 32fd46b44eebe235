package dev.shardflow.core.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff, the one retry schedule of shardflow: the first retry waits {@code initial}, each
 * next one {@code multiplier} times longer, never longer than {@code max}. It bounds the wait, not the number of
 * attempts: a component that must not skip work retries until it succeeds or is stopped.
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is shorter than the initial " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be at least 1, was " + multiplier);
        }
    }

    /** Doubling from {@code initial} up to {@code max}. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max, 2.0);
    }

    /** How long to wait before retry number {@code attempt} (1 for the first retry). */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts are counted from 1, was " + attempt);
        }
        double millis = initial.toMillis() * Math.pow(multiplier, attempt - 1);
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
