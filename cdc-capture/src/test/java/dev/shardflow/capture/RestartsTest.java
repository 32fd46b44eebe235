package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartsTest {

    @Test
    void waitsDoubleUpToTheMaximumThenTheRestartsAreUsedUp() {
        Restarts restarts = new Restarts(5, 5_000);
        assertThat(restarts.next(100, false)).isEqualTo(1_000);
        assertThat(restarts.next(100, false)).isEqualTo(2_000);
        assertThat(restarts.next(100, false)).isEqualTo(4_000);
        assertThat(restarts.next(100, false)).isEqualTo(5_000);
        assertThat(restarts.next(100, false)).isEqualTo(5_000);
        assertThat(restarts.next(100, false)).as("five in a row used up").isEqualTo(-1);
        assertThat(restarts.total()).isEqualTo(5);
    }

    @Test
    void anEngineThatCapturedOrRanLongStartsTheCountAgain() {
        Restarts restarts = new Restarts(2, 60_000);
        restarts.next(100, false);
        restarts.next(100, false);
        assertThat(restarts.next(100, true)).as("it captured a change before failing").isEqualTo(1_000);
        restarts.next(100, false);
        assertThat(restarts.next(Restarts.LONG_RUN_MS, false)).as("it ran ten minutes").isEqualTo(1_000);
        assertThat(restarts.inARow()).isEqualTo(1);
        assertThat(restarts.total()).isEqualTo(5);
    }

    @Test
    void aFailureIsDescribedByTheEnginesMessageAndTheRootCauseItDoesNotSay() {
        Exception error = new RuntimeException("Connector configuration is not valid",
                new java.net.ConnectException("Connection refused"));
        assertThat(ShardCapture.describe("Connector configuration is not valid", error))
                .isEqualTo("Connector configuration is not valid (ConnectException: Connection refused)");
        assertThat(ShardCapture.describe(null, null)).isEqualTo("the engine stopped");
    }
}
