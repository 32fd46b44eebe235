package dev.shardflow.bench.ring;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingHash;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ring lookups on one thread: long and string keys, default (XXH3) and md5 rings. The baseline is the cheapest
 * placement there is, {@code xxh3(key) mod N} into an array, which moves almost every key when N changes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RingLookupBench {
    private static final int KEYS = 1 << 16;
    private static final Hasher64 XXH3 = Hashing.xxh3_64();

    @Param({"64"})
    int shards;

    private HashRing defaultRing;
    private HashRing md5Ring;
    private String[] shardIds;
    private final long[] longKeys = new long[KEYS];
    private final String[] stringKeys = new String[KEYS];
    private int next;

    @Setup
    public void setUp() {
        HashRing.Builder xxh3 = HashRing.builder().hash(RingHash.XXH3);
        HashRing.Builder md5 = HashRing.builder().hash(RingHash.MD5);
        shardIds = new String[shards];
        for (int i = 0; i < shards; i++) {
            shardIds[i] = "s" + i;
            xxh3.shard(shardIds[i]);
            md5.shard(shardIds[i]);
        }
        defaultRing = xxh3.build();
        md5Ring = md5.build();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < KEYS; i++) {
            longKeys[i] = random.nextLong();
            stringKeys[i] = "user-" + Long.toHexString(random.nextLong());
        }
    }

    private int nextIndex() {
        return next++ & (KEYS - 1);
    }

    @Benchmark
    public String baselineModuloLong() {
        return shardIds[(int) Long.remainderUnsigned(XXH3.hashLongToLong(longKeys[nextIndex()]), shards)];
    }

    @Benchmark
    public String defaultRingLong() {
        return defaultRing.ownerOf(longKeys[nextIndex()]);
    }

    @Benchmark
    public String defaultRingString() {
        return defaultRing.ownerOf(stringKeys[nextIndex()]);
    }

    @Benchmark
    public String md5RingLong() {
        return md5Ring.ownerOf(longKeys[nextIndex()]);
    }

    @Benchmark
    public String md5RingString() {
        return md5Ring.ownerOf(stringKeys[nextIndex()]);
    }
}
