package dev.shardflow.topology;

import dev.shardflow.topology.workflow.Rebalance;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The write latencies around a cutover, from the application's side: writes to moving keys that started while the
 * fence was up (p50, p99, max), and writes to keys that stayed, during the fence and in the seconds before it.
 */
public record PauseReport(int movingDuring, double movingP50Ms, double movingP99Ms, double movingMaxMs, int stayingDuring,
        double stayingP99DuringMs, double stayingP99BeforeMs) {

    public static PauseReport of(List<RouterWorkload.Timing> timings, Rebalance.FenceAttempt fence, LongPredicate moving) {
        long from = fence.startedAtMs();
        long to = fence.endedAtMs();
        List<Long> movingDuring = micros(timings, t -> t.startMs() >= from && t.startMs() <= to
                && moving.test(t.userId()));
        List<Long> stayingDuring = micros(timings, t -> t.startMs() >= from && t.startMs() <= to
                && !moving.test(t.userId()));
        List<Long> stayingBefore = micros(timings, t -> t.startMs() >= from - 5_000 && t.startMs() < from
                && !moving.test(t.userId()));
        return new PauseReport(movingDuring.size(), percentile(movingDuring, 0.5), percentile(movingDuring, 0.99),
                percentile(movingDuring, 1.0), stayingDuring.size(), percentile(stayingDuring, 0.99),
                percentile(stayingBefore, 0.99));
    }

    private static List<Long> micros(List<RouterWorkload.Timing> timings,
            java.util.function.Predicate<RouterWorkload.Timing> which) {
        return timings.stream().filter(which).map(RouterWorkload.Timing::micros).sorted().toList();
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
    }

    @Override
    public String toString() {
        return String.format("moving keys during the fence: %d writes, p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                + "staying keys: %d writes, p99 %.1f ms during vs %.1f ms before", movingDuring, movingP50Ms,
                movingP99Ms, movingMaxMs, stayingDuring, stayingP99DuringMs, stayingP99BeforeMs);
    }
}
