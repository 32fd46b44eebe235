package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.shardflow.core.ring.HashRing;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class DistributionTest {

    @Test
    void evenCountsHaveNoWarningAndNoVariation() {
        Distribution d = Distribution.ofCounts(Map.of("a", 100L, "b", 100L), 1.25);
        assertThat(d.maxOverMean()).isEqualTo(1.0);
        assertThat(d.coefficientOfVariation()).isZero();
        assertThat(d.warnings()).isEmpty();
        assertThat(d.share("a")).isEqualTo(0.5);
    }

    @Test
    void aShardAboveTheFactorIsWarnedAboutWithItsShare() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("a", 500L);
        counts.put("b", 250L);
        counts.put("c", 250L);
        Distribution d = Distribution.ofCounts(counts, 1.25);
        assertThat(d.maxOverMean()).isCloseTo(1.5, within(1e-9));
        assertThat(d.coefficientOfVariation()).isCloseTo(Math.sqrt(0.125), within(1e-9)); // std 117.85 over mean 333.33
        assertThat(d.warnings()).containsExactly("shard a holds 50.0% of keys, 1.50 times the mean (warning above 1.25)");
    }

    @Test
    void shardsThatGetNoKeyCountAsZero() {
        HashRing ring = HashRing.builder().shard("a").shard("b").shard("c").build();
        Distribution d = Distribution.of(ring, LongStream.range(0, 3).boxed().toList(), 1.25);
        assertThat(d.counts()).containsOnlyKeys("a", "b", "c");
        assertThat(d.total()).isEqualTo(3);
    }
}
