package dev.shardflow.topology.verify;

import java.util.List;

/**
 * Where an interrupted verify run resumes: the step it was in (steps are numbered the same way for the same
 * topologies and scope) and the last key of that step whose chunk was fully compared (null: the step's start).
 */
public record VerifyCursor(int step, List<Object> after) {

    public VerifyCursor {
        if (step < 0) {
            throw new IllegalArgumentException("step must not be negative, was " + step);
        }
        after = after == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(after));
    }

    public static final VerifyCursor START = new VerifyCursor(0, null);
}
