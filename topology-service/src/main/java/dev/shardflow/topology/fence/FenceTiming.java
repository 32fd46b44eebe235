package dev.shardflow.topology.fence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When a fence passed each milestone on its slowest path, in wall-clock epoch milliseconds: the coordinator's own
 * (every router acknowledged, every marker written, every copy seen applied) and, of the copy that reached a writer
 * last, when capture sent it, when each rebalancer hop handed it on and when its writer read it. The stage times come
 * from the processes that passed them, so on several machines their clocks' skew shows in the breakdown (never in
 * the pause itself, which the coordinator measures alone); a phase that skew makes negative reads as zero.
 *
 * @param capturedMs null when the writers recorded no stage times (writers older than the breakdown)
 * @param hopsMs one time per rebalancer hop (two for a child table's marker)
 */
public record FenceTiming(long acknowledgedMs, long writtenMs, Long capturedMs, List<Long> hopsMs, Long readMs,
        long appliedMs, String slowestPath) {

    /** Phase names, in the order a fence passes them. */
    public static final String ROUTERS = "routers";
    public static final String MARKERS = "markers";
    public static final String CAPTURE = "capture";
    public static final String HOP = "rebalancer hop ";
    public static final String TO_WRITER = "to writer";
    public static final String APPLY = "writer apply";
    public static final String EPOCH = "epoch commit";

    public FenceTiming {
        hopsMs = hopsMs == null ? List.of() : List.copyOf(hopsMs);
    }

    /**
     * How long each phase of a fence published at {@code startedMs} and ended (the next epoch committed) at
     * {@code endedMs} took, in milliseconds, in order; they add up to the pause. Without stage times, the time from the
     * markers written to the copies applied is one phase, {@code capture to writer apply}.
     */
    public Map<String, Long> phases(long startedMs, long endedMs) {
        Map<String, Long> phases = new LinkedHashMap<>();
        phases.put(ROUTERS, nonNegative(acknowledgedMs - startedMs));
        phases.put(MARKERS, nonNegative(writtenMs - acknowledgedMs));
        if (capturedMs == null || readMs == null) {
            phases.put(CAPTURE + " to " + APPLY, nonNegative(appliedMs - writtenMs));
        } else {
            phases.put(CAPTURE, nonNegative(capturedMs - writtenMs));
            long previous = capturedMs;
            for (int i = 0; i < hopsMs.size(); i++) {
                phases.put(HOP + (i + 1), nonNegative(hopsMs.get(i) - previous));
                previous = hopsMs.get(i);
            }
            phases.put(TO_WRITER, nonNegative(readMs - previous));
            phases.put(APPLY, nonNegative(appliedMs - readMs));
        }
        phases.put(EPOCH, nonNegative(endedMs - appliedMs));
        return phases;
    }

    private static long nonNegative(long ms) {
        return Math.max(0, ms);
    }
}
