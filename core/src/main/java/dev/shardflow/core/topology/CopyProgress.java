package dev.shardflow.core.topology;

import java.util.Map;

/**
 * How far a copy is: change records read of those there were when it started ({@link CopyStart}). The rebalancer
 * logs it and the topology service reports it; both count with {@link #of}.
 */
public record CopyProgress(long done, long total) {

    /**
     * The progress of a copy that started at {@code start}, whose move has committed {@code committed} (offsets by
     * partition name, {@code <topic>-<partition>}): each partition counts up to where the copy started, no further.
     */
    public static CopyProgress of(CopyStart start, Map<String, Long> committed) {
        long done = 0;
        long total = 0;
        for (Map.Entry<String, Long> end : start.endOffsets().entrySet()) {
            Long at = committed.get(end.getKey());
            done += at == null ? 0 : Math.min(at, end.getValue());
            total += end.getValue();
        }
        return new CopyProgress(done, total);
    }

    public double fraction() {
        return total == 0 ? 1.0 : (double) done / total;
    }
}
