package dev.shardflow.capture.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class ReplicaIdentityWatchTest {

    @Test
    void whatDebeziumFillsAMissingColumnWithPutsADeleteInDoubt() {
        assertThat(ReplicaIdentityWatch.filledIn(null)).isTrue();
        assertThat(ReplicaIdentityWatch.filledIn(0L)).isTrue();
        assertThat(ReplicaIdentityWatch.filledIn(new BigDecimal("0.00"))).isTrue();
        assertThat(ReplicaIdentityWatch.filledIn("")).isTrue();
        assertThat(ReplicaIdentityWatch.filledIn("1970-01-01")).isTrue();
        assertThat(ReplicaIdentityWatch.filledIn("1970-01-01T00:00")).isTrue();
        assertThat(ReplicaIdentityWatch.filledIn(false)).isTrue();
    }

    @Test
    void aRealPlacementValueIsNotInDoubt() {
        assertThat(ReplicaIdentityWatch.filledIn(9L)).isFalse();
        assertThat(ReplicaIdentityWatch.filledIn("DE")).isFalse();
        assertThat(ReplicaIdentityWatch.filledIn("2024-11-24")).isFalse();
        assertThat(ReplicaIdentityWatch.filledIn(true)).isFalse();
    }
}
