package dev.shardflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThrottleTest {

    @Test
    void waitsOnlyWhenAheadOfTheLimit() {
        Throttle throttle = new Throttle(1_000);
        assertThat(throttle.waitMillis(500, 100_000_000L)).as("500 rows are due after 500 ms; 100 ms passed")
                .isEqualTo(400);
        assertThat(throttle.waitMillis(500, 600_000_000L)).isZero();
        assertThat(throttle.waitMillis(0, 0)).isZero();
    }

    @Test
    void zeroMeansNoLimit() {
        assertThat(Throttle.unlimited().waitMillis(1_000_000, 0)).isZero();
    }

    @Test
    void aNegativeLimitIsRefused() {
        assertThatThrownBy(() -> new Throttle(-1)).hasMessageContaining("rowsPerSecond");
    }
}
