package dev.shardflow.topology.fence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FenceTimingTest {

    @Test
    void aChildTablesMarkerIsBrokenDownIntoBothHopsAndThePhasesAddUpToThePause() {
        FenceTiming timing = new FenceTiming(1_020, 1_025, 1_100L, List.of(1_180L, 1_300L), 1_340L, 1_400, "s1 via p");
        Map<String, Long> phases = timing.phases(1_000, 1_430);
        assertThat(phases).containsExactly(Map.entry("routers", 20L), Map.entry("markers", 5L),
                Map.entry("capture", 75L), Map.entry("rebalancer hop 1", 80L), Map.entry("rebalancer hop 2", 120L),
                Map.entry("to writer", 40L), Map.entry("writer apply", 60L), Map.entry("epoch commit", 30L));
        assertThat(phases.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(430);
    }

    @Test
    void withoutStageTimesTheMarkersTripIsOnePhase() {
        Map<String, Long> phases = new FenceTiming(1_010, 1_020, null, List.of(), null, 1_300, null)
                .phases(1_000, 1_320);
        assertThat(phases).containsExactly(Map.entry("routers", 10L), Map.entry("markers", 10L),
                Map.entry("capture to writer apply", 280L), Map.entry("epoch commit", 20L));
    }

    @Test
    void aClockBehindTheCoordinatorsReadsAsZeroNotNegative() {
        // capture's clock 30 ms behind: the marker looks captured before it was written
        Map<String, Long> phases = new FenceTiming(1_010, 1_020, 990L, List.of(1_050L), 1_100L, 1_150, "s")
                .phases(1_000, 1_160);
        assertThat(phases.get("capture")).isZero();
        assertThat(phases.get("rebalancer hop 1")).isEqualTo(60);
    }
}
