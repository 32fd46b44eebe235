package dev.shardflow.core.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Ordered ranges of shard-key values, each owned by one shard, like {@code PARTITION ... VALUES LESS THAN}: a
 * value belongs to the first range whose upper bound is above it, or to the catch-all shard when it is at or
 * above every bound. For example one shard per year: bounds 2021-01-01, 2022-01-01, ... and a catch-all for the
 * future.
 */
public final class RangeStrategy implements ShardingStrategy {

    /** The values below {@code upperExclusive} (and at or above the previous bound) belong to {@code shard}. */
    public record Range(String upperExclusive, String shard) {
        public Range {
            Objects.requireNonNull(upperExclusive, "upperExclusive");
            Objects.requireNonNull(shard, "shard");
        }
    }

    private final KeyType keyType;
    private final List<Range> ranges;
    private final List<Comparable<Object>> bounds;
    private final String catchAll;

    private RangeStrategy(KeyType keyType, List<Range> ranges, String catchAll) {
        this.keyType = keyType;
        this.ranges = List.copyOf(ranges);
        this.catchAll = catchAll;
        List<Comparable<Object>> parsed = new ArrayList<>();
        for (Range range : ranges) {
            parsed.add(coerce(keyType, range.upperExclusive()));
        }
        for (int i = 1; i < parsed.size(); i++) {
            if (parsed.get(i).compareTo(parsed.get(i - 1)) <= 0) {
                throw new IllegalArgumentException("range bounds must be sorted and distinct: "
                        + ranges.get(i).upperExclusive() + " comes after " + ranges.get(i - 1).upperExclusive()
                        + "; list the ranges in ascending order without overlap");
            }
        }
        this.bounds = Collections.unmodifiableList(parsed);
    }

    public static Builder builder(KeyType keyType) {
        return new Builder(keyType);
    }

    /** Ranges in ascending order of their upper bound, then an optional catch-all. */
    public static final class Builder {
        private final KeyType keyType;
        private final List<Range> ranges = new ArrayList<>();
        private String catchAll;

        private Builder(KeyType keyType) {
            this.keyType = Objects.requireNonNull(keyType, "keyType");
        }

        /** Values below {@code upperExclusive}, and at or above the previous range's bound, go to {@code shard}. */
        public Builder below(String upperExclusive, String shard) {
            ranges.add(new Range(upperExclusive, shard));
            return this;
        }

        /** Values at or above the last bound go to {@code shard}; without one they are an error. */
        public Builder catchAll(String shard) {
            this.catchAll = shard;
            return this;
        }

        public RangeStrategy build() {
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException("a range strategy needs at least one range");
            }
            return new RangeStrategy(keyType, ranges, catchAll);
        }
    }

    @Override
    public String ownerOf(Object value) {
        int index = indexOf(coerce(keyType, value));
        if (index < ranges.size()) {
            return ranges.get(index).shard();
        }
        if (catchAll == null) {
            throw new IllegalArgumentException("'" + value + "' is at or above the last range bound "
                    + ranges.get(ranges.size() - 1).upperExclusive() + " and there is no catch-all shard");
        }
        return catchAll;
    }

    /** The index of the range holding the value; {@code ranges().size()} for the catch-all. */
    int indexOf(Comparable<Object> value) {
        int lo = 0;
        int hi = bounds.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (value.compareTo(bounds.get(mid)) < 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The owner of every value in the interval starting at {@code lowerInclusive} (null: below everything). */
    String ownerFrom(Comparable<Object> lowerInclusive) {
        int index = lowerInclusive == null ? 0 : indexOf(lowerInclusive);
        return index < ranges.size() ? ranges.get(index).shard() : catchAll;
    }

    public KeyType keyType() {
        return keyType;
    }

    public List<Range> ranges() {
        return ranges;
    }

    /** The catch-all shard, or null. */
    public String catchAll() {
        return catchAll;
    }

    List<Comparable<Object>> bounds() {
        return bounds;
    }

    @Override
    public List<String> shards() {
        LinkedHashSet<String> shards = new LinkedHashSet<>();
        ranges.forEach(range -> shards.add(range.shard()));
        if (catchAll != null) {
            shards.add(catchAll);
        }
        return List.copyOf(shards);
    }

    @SuppressWarnings("unchecked")
    static Comparable<Object> coerce(KeyType keyType, Object value) {
        return (Comparable<Object>) keyType.coerce(value);
    }

    @Override
    public String toString() {
        return "RangeStrategy[" + keyType.configName() + ", " + ranges + ", catch-all " + catchAll + "]";
    }
}
