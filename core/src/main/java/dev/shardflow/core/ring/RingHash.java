package dev.shardflow.core.ring;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The hash that places keys and virtual nodes on a ring.
 *
 * <ul>
 *   <li>{@link #XXH3}, the default: XXH3-64 (seed 0) of a {@code long} key's 8 little-endian bytes, or of a string
 *       key's UTF-8 bytes; a 64-bit ring. Fast, well distributed, and the same in every language that has XXH3.
 *   <li>{@link #MD5}: MD5 of the key's decimal or string form, UTF-8, read as an unsigned 128-bit integer; a
 *       128-bit ring. This is exactly how the Python {@code ConsistentHashRouter} of the sharding chapter places
 *       keys and vnodes, so a team routing with it can adopt shardflow without moving a row.
 * </ul>
 */
public enum RingHash {
    XXH3("default", 64),
    MD5("md5", 128);

    private static final Hasher64 XXH3_64 = Hashing.xxh3_64();
    private static final ThreadLocal<MessageDigest> MD5_DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5, which every Java platform must provide", e);
        }
    });

    private final String configName;
    private final int bits;

    RingHash(String configName, int bits) {
        this.configName = configName;
        this.bits = bits;
    }

    public String configName() {
        return configName;
    }

    /** The width of the ring's token space: tokens run from 0 to 2^bits - 1. */
    public int bits() {
        return bits;
    }

    /** The number of tokens on the ring, 2^bits. */
    public BigInteger tokenCount() {
        return BigInteger.ONE.shiftLeft(bits);
    }

    public static RingHash fromConfigName(String name) {
        for (RingHash hash : values()) {
            if (hash.configName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))
                    || hash.name().equalsIgnoreCase(name)) {
                return hash;
            }
        }
        throw new IllegalArgumentException("unknown ring hash '" + name + "'; use one of "
                + Arrays.stream(values()).map(RingHash::configName).collect(Collectors.joining(", ")));
    }

    /** XXH3-64 of a long key: the default ring's hot path, free of allocation. */
    static long xxh3(long key) {
        return XXH3_64.hashLongToLong(key);
    }

    static long xxh3(String key) {
        return XXH3_64.hashBytesToLong(key.getBytes(StandardCharsets.UTF_8));
    }

    /** MD5 of the UTF-8 bytes of {@code text}, as 16 big-endian bytes. */
    static byte[] md5(String text) {
        return MD5_DIGEST.get().digest(text.getBytes(StandardCharsets.UTF_8));
    }
}
