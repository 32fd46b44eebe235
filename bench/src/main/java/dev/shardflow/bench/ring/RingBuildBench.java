package dev.shardflow.bench.ring;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingHash;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Building a 1,000-shard ring of 150 vnodes (150,000 points), which happens once per topology epoch. The baseline
 * sorts 150,000 random longs, the least any build must do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RingBuildBench {
    private static final int SHARDS = 1_000;
    private final long[] points = new long[SHARDS * HashRing.DEFAULT_VNODES];

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        Arrays.setAll(points, i -> random.nextLong());
    }

    @Benchmark
    public long[] baselineSortPoints() {
        long[] copy = points.clone();
        Arrays.sort(copy);
        return copy;
    }

    @Benchmark
    public HashRing buildDefaultRing() {
        return build(RingHash.XXH3);
    }

    @Benchmark
    public HashRing buildMd5Ring() {
        return build(RingHash.MD5);
    }

    private static HashRing build(RingHash hash) {
        HashRing.Builder builder = HashRing.builder().hash(hash);
        for (int i = 0; i < SHARDS; i++) {
            builder.shard("shard-" + i);
        }
        return builder.build();
    }
}
