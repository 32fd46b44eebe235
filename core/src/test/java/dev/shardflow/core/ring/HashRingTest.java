package dev.shardflow.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashRingTest {

    @Test
    void addingAShardToNEqualShardsMovesAboutOneInNPlusOneOfTheTokenSpace() {
        List<String> report = new ArrayList<>();
        for (int n = 4; n <= 64; n++) {
            double moved = RingDiff.between(ring(n, RingHash.XXH3), ring(n + 1, RingHash.XXH3)).movedFraction();
            double expected = 1.0 / (n + 1);
            report.add(String.format("N=%d moved=%.4f expected=%.4f", n, moved, expected));
            assertThat(moved).as("N=%d", n).isCloseTo(expected, within(0.01));
        }
        System.out.println(String.join("\n", report));
    }

    @Test
    void moduloPlacementMovesMostKeysWhereTheRingMovesOneInNPlusOne() {
        int n = 10;
        HashRing before = ring(n, RingHash.XXH3);
        HashRing after = ring(n + 1, RingHash.XXH3);
        int keys = 200_000;
        int movedByRing = 0;
        int movedByModulo = 0;
        for (long key = 0; key < keys; key++) {
            if (!before.ownerOf(key).equals(after.ownerOf(key))) {
                movedByRing++;
            }
            long hash = RingHash.xxh3(key);
            if (Long.remainderUnsigned(hash, n) != Long.remainderUnsigned(hash, n + 1)) {
                movedByModulo++;
            }
        }
        System.out.printf("N=%d -> %d: ring moved %.4f of keys, hash %% N moved %.4f%n", n, n + 1,
                (double) movedByRing / keys, (double) movedByModulo / keys);
        assertThat((double) movedByRing / keys).isCloseTo(1.0 / (n + 1), within(0.01));
        assertThat((double) movedByModulo / keys).isCloseTo((double) n / (n + 1), within(0.01));
    }

    @Test
    void keysOnlyMoveToTheNewShard() {
        HashRing before = ring(8, RingHash.XXH3);
        HashRing after = ring(9, RingHash.XXH3);
        for (long key = 0; key < 100_000; key++) {
            String old = before.ownerOf(key);
            String now = after.ownerOf(key);
            assertThat(now.equals(old) || now.equals("s8")).as("key %d: %s -> %s", key, old, now).isTrue();
        }
    }

    @Test
    void oneMillionKeysSpreadWithinAQuarterOfTheMeanOnEveryShardCount() {
        for (int n : new int[] {4, 8, 16, 32, 64}) {
            HashRing ring = ring(n, RingHash.XXH3);
            Map<String, Integer> counts = new HashMap<>();
            SplittableRandom random = new SplittableRandom(n);
            for (int i = 0; i < 1_000_000; i++) {
                counts.merge(ring.ownerOf(random.nextLong()), 1, Integer::sum);
            }
            double mean = 1_000_000.0 / n;
            double max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            System.out.printf("N=%d max/mean=%.3f%n", n, max / mean);
            assertThat(max / mean).as("N=%d", n).isLessThanOrEqualTo(1.25);
        }
    }

    @Test
    void aShardOfWeightTwoOwnsAboutTwiceTheShareOfTheOthers() {
        HashRing ring = HashRing.builder().shard("a").shard("b").shard("c", 2.0).build();
        Map<String, Double> shares = ring.tokenShares();
        assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
        assertThat(shares.get("c")).isCloseTo(0.5, within(0.06));
    }

    @Test
    void longLookupsAllocateNothing() {
        HashRing ring = ring(64, RingHash.XXH3);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (long key = 0; key < 200_000; key++) { // warm up so the JIT has compiled the lookup
            sink += ring.ownerOf(key).length();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (long key = 0; key < 1_000_000; key++) {
            sink += ring.ownerOf(key).length();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by 1,000,000 lookups").isLessThan(10_000);
    }

    @Test
    void integralValuesRouteAsLongsAndEverythingElseByItsString() {
        HashRing ring = ring(5, RingHash.XXH3);
        assertThat(ring.ownerOf((Object) 42)).isEqualTo(ring.ownerOf(42L));
        assertThat(ring.ownerOf((Object) java.math.BigInteger.valueOf(42))).isEqualTo(ring.ownerOf(42L));
        assertThat(ring.tokenOf(java.math.BigInteger.valueOf(42))).isEqualTo(ring.tokenOf(42L));
        java.util.UUID id = java.util.UUID.fromString("3f1c1a36-6d2e-4f0b-9d2a-2b8c1b0a9e11");
        assertThat(ring.ownerOf((Object) id)).isEqualTo(ring.ownerOf(id.toString()));
        assertThatThrownBy(() -> ring.ownerOf((Object) null)).hasMessageContaining("null");
    }

    @Test
    void invalidRingsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> HashRing.builder().vnodes(0).shard("a").build()).hasMessageContaining("vnodes");
        assertThatThrownBy(() -> HashRing.builder().shard("a", 0).build()).hasMessageContaining("weight");
        assertThatThrownBy(() -> HashRing.builder().shard("a").shard("a").build()).hasMessageContaining("twice");
        assertThatThrownBy(() -> HashRing.builder().build()).hasMessageContaining("at least one shard");
        assertThatThrownBy(() -> RingDiff.between(ring(3, RingHash.MD5), ring(3, RingHash.XXH3)))
                .hasMessageContaining("hash");
    }

    static HashRing ring(int shards, RingHash hash) {
        HashRing.Builder builder = HashRing.builder().hash(hash).vnodes(150);
        for (int i = 0; i < shards; i++) {
            builder.shard("s" + i);
        }
        return builder.build();
    }
}
