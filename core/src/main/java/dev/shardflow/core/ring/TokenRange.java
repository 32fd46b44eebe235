package dev.shardflow.core.ring;

import dev.shardflow.core.strategy.MoveRange;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The ring tokens from {@code start} (inclusive) to {@code end} (exclusive) that move from one shard to another. A
 * key moves when its hash falls in the range.
 */
public record TokenRange(BigInteger start, BigInteger end, String from, String to) implements MoveRange {

    public TokenRange {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (start.signum() < 0 || end.compareTo(start) <= 0) {
            throw new IllegalArgumentException("token range needs 0 <= start < end, was [" + start + ", " + end + ")");
        }
    }

    /** How many tokens the range holds. */
    public BigInteger size() {
        return end.subtract(start);
    }

    /** True when {@code token} lies in the range. */
    public boolean contains(BigInteger token) {
        return token.compareTo(start) >= 0 && token.compareTo(end) < 0;
    }

    @Override
    public String keys() {
        return "tokens [0x" + start.toString(16) + ", 0x" + end.toString(16) + ")";
    }

    @Override
    public String toString() {
        return keys() + " " + from + " -> " + to;
    }
}
