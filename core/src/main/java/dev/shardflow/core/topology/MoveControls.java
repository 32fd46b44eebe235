package dev.shardflow.core.topology;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an operator set on a running move, carried in the {@link TopologyState} every rebalancer follows: whether
 * its copy is paused (it forwards nothing and resumes from where it stopped), and the most change records per
 * second it may forward (0: as fast as it can).
 */
public record MoveControls(boolean paused, long maxRowsPerSecond) {

    /** Neither paused nor throttled. */
    public static final MoveControls NONE = new MoveControls(false, 0);

    @JsonCreator
    public MoveControls(@JsonProperty("paused") boolean paused,
            @JsonProperty("maxRowsPerSecond") long maxRowsPerSecond) {
        if (maxRowsPerSecond < 0) {
            throw new IllegalArgumentException("maxRowsPerSecond must be 0 (no limit) or positive, was "
                    + maxRowsPerSecond);
        }
        this.paused = paused;
        this.maxRowsPerSecond = maxRowsPerSecond;
    }

    public MoveControls withPaused(boolean pause) {
        return new MoveControls(pause, maxRowsPerSecond);
    }

    public MoveControls withMaxRowsPerSecond(long rows) {
        return new MoveControls(paused, rows);
    }

    /** For logs and status: {@code running}, {@code paused}, and the limit when there is one. */
    public String describe() {
        return (paused ? "paused" : "running") + (maxRowsPerSecond > 0 ? ", at most " + maxRowsPerSecond
                + " rows/s" : "");
    }
}
