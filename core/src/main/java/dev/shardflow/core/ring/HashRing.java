package dev.shardflow.core.ring;

import dev.shardflow.core.strategy.ShardingStrategy;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Consistent hashing with virtual nodes. Each shard puts {@code round(vnodes × weight)} points on a ring, the point
 * of its vnode {@code i} at the hash of {@code "<shard>:<i>"}; a key belongs to the first point strictly after its
 * own hash, wrapping past the end to the first point. Adding a shard therefore moves only the keys the new shard's
 * points take over, about {@code 1/(N+1)} of them with N equal shards.
 *
 * <p>Immutable and safe to share between threads. With {@link RingHash#XXH3} a lookup of a {@code long} key
 * allocates nothing. With {@link RingHash#MD5} the ring is point for point the one the Python
 * {@code ConsistentHashRouter} builds for the same shard list and vnode count (where two vnodes hash alike, the
 * later shard keeps the point, as in its dict).
 *
 * <p>One role in one file, longer than most: placing the points and finding a key's owner share the ring's private
 * arrays (sorted points, owners, bucket index), which is what keeps a lookup free of allocation.
 */
public final class HashRing implements ShardingStrategy {
    public static final int DEFAULT_VNODES = 150;

    /** A shard on the ring and its weight; a weight of 2 places twice as many points. */
    public record Member(String shard, double weight) {
        public Member {
            Objects.requireNonNull(shard, "shard");
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("shard " + shard + ": weight must be a positive number, was "
                        + weight);
            }
        }
    }

    private final RingHash hash;
    private final int vnodes;
    private final List<Member> members;
    private final String[] shardIds;
    // Points in ascending unsigned order, stored with the sign bit flipped so that signed comparison orders them.
    private final long[] high;
    private final long[] low; // the low 64 bits of 128-bit MD5 points; null on a 64-bit ring
    private final int[] owners;
    // bucketStart[b] is the index of the first point whose top bits are >= b: a lookup searches one bucket only.
    private final int bucketShift;
    private final int[] bucketStart;

    private HashRing(RingHash hash, int vnodes, List<Member> members) {
        this.hash = hash;
        this.vnodes = vnodes;
        this.members = List.copyOf(members);
        this.shardIds = members.stream().map(Member::shard).toArray(String[]::new);
        int total = members.stream().mapToInt(m -> pointsOf(m, vnodes)).sum();
        long[] h = new long[total];
        long[] l = hash == RingHash.MD5 ? new long[total] : null;
        int[] o = new int[total];
        int n = 0;
        for (int shard = 0; shard < shardIds.length; shard++) {
            int points = pointsOf(members.get(shard), vnodes);
            for (int vnode = 0; vnode < points; vnode++, n++) {
                String label = shardIds[shard] + ":" + vnode;
                if (l == null) {
                    h[n] = RingHash.xxh3(label) ^ Long.MIN_VALUE;
                } else {
                    byte[] digest = RingHash.md5(label);
                    h[n] = readLong(digest, 0) ^ Long.MIN_VALUE;
                    l[n] = readLong(digest, 8) ^ Long.MIN_VALUE;
                }
                o[n] = shard;
            }
        }
        // Sort by point; equal points keep the later one (build order), as a dict assignment would.
        Integer[] order = new Integer[total];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> {
            int c = Long.compare(h[a], h[b]);
            if (c == 0 && l != null) {
                c = Long.compare(l[a], l[b]);
            }
            return c != 0 ? c : Integer.compare(b, a);
        });
        long[] sortedHigh = new long[total];
        long[] sortedLow = l == null ? null : new long[total];
        int[] sortedOwners = new int[total];
        int kept = 0;
        for (int i = 0; i < total; i++) {
            int p = order[i];
            if (kept > 0 && sortedHigh[kept - 1] == h[p] && (l == null || sortedLow[kept - 1] == l[p])) {
                continue; // a duplicate point; the later vnode, sorted first, already holds it
            }
            sortedHigh[kept] = h[p];
            if (l != null) {
                sortedLow[kept] = l[p];
            }
            sortedOwners[kept++] = o[p];
        }
        this.high = Arrays.copyOf(sortedHigh, kept);
        this.low = l == null ? null : Arrays.copyOf(sortedLow, kept);
        this.owners = Arrays.copyOf(sortedOwners, kept);
        int bucketBits = Math.max(8, Math.min(20, 64 - Long.numberOfLeadingZeros(2L * kept)));
        this.bucketShift = 64 - bucketBits;
        this.bucketStart = new int[(1 << bucketBits) + 1];
        int point = 0;
        for (int bucket = 0; bucket <= 1 << bucketBits; bucket++) {
            while (point < kept && ((high[point] ^ Long.MIN_VALUE) >>> bucketShift) < bucket) {
                point++;
            }
            bucketStart[bucket] = point;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the ring's members; {@link #build()} validates and places them. */
    public static final class Builder {
        private RingHash hash = RingHash.XXH3;
        private int vnodes = DEFAULT_VNODES;
        private final List<Member> members = new ArrayList<>();

        public Builder hash(RingHash hash) {
            this.hash = Objects.requireNonNull(hash, "hash");
            return this;
        }

        /** Points per shard of weight 1 (default 150). */
        public Builder vnodes(int vnodes) {
            this.vnodes = vnodes;
            return this;
        }

        public Builder shard(String id) {
            return shard(id, 1.0);
        }

        public Builder shard(String id, double weight) {
            members.add(new Member(id, weight));
            return this;
        }

        public Builder shards(List<String> ids) {
            ids.forEach(this::shard);
            return this;
        }

        public HashRing build() {
            if (vnodes <= 0) {
                throw new IllegalArgumentException("vnodes must be positive, was " + vnodes);
            }
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a ring needs at least one shard");
            }
            Set<String> seen = new HashSet<>();
            for (Member member : members) {
                if (member.shard().isBlank()) {
                    throw new IllegalArgumentException("shard ids must not be blank");
                }
                if (!seen.add(member.shard())) {
                    throw new IllegalArgumentException("shard " + member.shard() + " is on the ring twice");
                }
            }
            return new HashRing(hash, vnodes, members);
        }
    }

    /** The owner of a {@code long} key; allocation-free on an {@link RingHash#XXH3} ring. */
    public String ownerOf(long key) {
        if (low == null) {
            return shardIds[owners[indexAfter(RingHash.xxh3(key) ^ Long.MIN_VALUE)]];
        }
        return ownerOf(Long.toString(key));
    }

    /** The owner of a string key (hashed as UTF-8). */
    public String ownerOf(String key) {
        Objects.requireNonNull(key, "shard key value is null");
        if (low == null) {
            return shardIds[owners[indexAfter(RingHash.xxh3(key) ^ Long.MIN_VALUE)]];
        }
        byte[] digest = RingHash.md5(key);
        return shardIds[owners[indexAfter(readLong(digest, 0) ^ Long.MIN_VALUE, readLong(digest, 8) ^ Long.MIN_VALUE)]];
    }

    /**
     * The owner of a shard-key value: integral numbers ({@code Long}, {@code Integer}, {@code Short}, {@code Byte},
     * a {@code BigInteger} within long range) are placed as {@code long}s, anything else by its string form
     * ({@code UUID}s, ISO dates). A string that spells a number is a string.
     */
    @Override
    public String ownerOf(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("shard key value is null");
        }
        Long integral = integral(value);
        return integral != null ? ownerOf(integral.longValue()) : ownerOf(value.toString());
    }

    /** The value as a long when it is placed as one (integral and within long range), else null. */
    private static Long integral(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        return null;
    }

    /** The owner of the keys whose hash is {@code token} (0 ≤ token < 2^bits). */
    public String ownerOfToken(BigInteger token) {
        if (token.signum() < 0 || token.bitLength() > hash.bits()) {
            throw new IllegalArgumentException("token " + token + " is outside a " + hash.bits() + "-bit ring");
        }
        if (low == null) {
            return shardIds[owners[indexAfter(token.longValue() ^ Long.MIN_VALUE)]];
        }
        return shardIds[owners[indexAfter(token.shiftRight(64).longValue() ^ Long.MIN_VALUE,
                token.longValue() ^ Long.MIN_VALUE)]];
    }

    /** The hash of a key as a ring token, for tools and diagnostics. */
    public BigInteger tokenOf(Object value) {
        Long integral = integral(value);
        if (low == null) {
            return unsigned(integral != null ? RingHash.xxh3(integral.longValue()) : RingHash.xxh3(value.toString()));
        }
        return new BigInteger(1, RingHash.md5(integral != null ? integral.toString() : value.toString()));
    }

    /** The ring's points in ascending order, as tokens. */
    public List<BigInteger> points() {
        List<BigInteger> points = new ArrayList<>(high.length);
        for (int i = 0; i < high.length; i++) {
            points.add(pointAt(i));
        }
        return points;
    }

    /** The share of the token space each shard owns, in member order; the shares add up to 1. */
    public Map<String, Double> tokenShares() {
        BigInteger[] owned = new BigInteger[shardIds.length];
        Arrays.fill(owned, BigInteger.ZERO);
        BigInteger previous = pointAt(high.length - 1).subtract(hash.tokenCount());
        for (int i = 0; i < high.length; i++) {
            BigInteger point = pointAt(i);
            owned[owners[i]] = owned[owners[i]].add(point.subtract(previous));
            previous = point;
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        for (int s = 0; s < shardIds.length; s++) {
            shares.put(shardIds[s], fraction(owned[s], hash.tokenCount()));
        }
        return shares;
    }

    public RingHash hash() {
        return hash;
    }

    public int vnodes() {
        return vnodes;
    }

    public List<Member> members() {
        return members;
    }

    @Override
    public List<String> shards() {
        return List.of(shardIds);
    }

    @Override
    public String toString() {
        return "HashRing[" + hash.configName() + ", " + vnodes + " vnodes, " + members + "]";
    }

    BigInteger pointAt(int index) {
        BigInteger high64 = unsigned(high[index] ^ Long.MIN_VALUE);
        return low == null ? high64 : high64.shiftLeft(64).or(unsigned(low[index] ^ Long.MIN_VALUE));
    }

    int pointCount() {
        return high.length;
    }

    static double fraction(BigInteger part, BigInteger whole) {
        return new java.math.BigDecimal(part).divide(new java.math.BigDecimal(whole), java.math.MathContext.DECIMAL64)
                .doubleValue();
    }

    /** bisect_right: the first point strictly greater than the (sign-flipped) hash, wrapping to 0. */
    private int indexAfter(long flipped) {
        long[] points = high;
        int bucket = (int) ((flipped ^ Long.MIN_VALUE) >>> bucketShift);
        int lo = bucketStart[bucket];
        int hi = bucketStart[bucket + 1];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (points[mid] > flipped) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    private int indexAfter(long flippedHigh, long flippedLow) {
        int bucket = (int) ((flippedHigh ^ Long.MIN_VALUE) >>> bucketShift);
        int lo = bucketStart[bucket];
        int hi = bucketStart[bucket + 1];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (high[mid] > flippedHigh || (high[mid] == flippedHigh && low[mid] > flippedLow)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo == high.length ? 0 : lo;
    }

    private static int pointsOf(Member member, int vnodes) {
        return (int) Math.max(1, Math.round(vnodes * member.weight()));
    }

    private static long readLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    private static BigInteger unsigned(long value) {
        BigInteger big = BigInteger.valueOf(value);
        return value >= 0 ? big : big.add(BigInteger.ONE.shiftLeft(64));
    }
}
