package dev.shardflow.rebalancer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CopyThrottleTest {

    @Test
    void withARateRecordsWaitForTheirSlotAndAreCounted() {
        CopyThrottle throttle = CopyThrottle.unlimited();
        throttle.setRate(1_000);
        long started = System.nanoTime();
        for (int i = 0; i < 1_300; i++) {
            throttle.admit();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // 1,300 records at 1,000/s: at least the 300 beyond the first second's slots wait for theirs (a lower
        // bound only: a slow machine takes longer, never shorter)
        assertThat(seconds).as("seconds for 1,300 records at 1,000/s").isGreaterThanOrEqualTo(0.25);
        assertThat(throttle.taken()).isEqualTo(1_300);
    }

    @Test
    void withoutARateNothingWaitsAndZeroLiftsALimit() {
        CopyThrottle throttle = CopyThrottle.unlimited();
        throttle.setRate(1);
        throttle.setRate(0);
        assertThat(throttle.rate()).isZero();
        long started = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            throttle.admit();
        }
        assertThat((System.nanoTime() - started) / 1e9).as("100,000 records without a limit").isLessThan(5);
        assertThatThrownBy(() -> throttle.setRate(-5)).hasMessageContaining("0 (no limit) or positive");
    }
}
