package dev.shardflow.writer.replay;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where in the change topics a replay starts: at the beginning (an empty database), at a time (the first record of
 * each partition at or after it), or at the offsets a backup recorded ({@code topic:partition} to offset; partitions
 * it does not name start at the beginning).
 */
public record ReplayStart(Long timestampMs, Map<String, Long> offsets) {

    public ReplayStart {
        if (timestampMs != null && offsets != null) {
            throw new IllegalArgumentException("start a replay at a time or at offsets, not both");
        }
        offsets = offsets == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(offsets));
    }

    public static ReplayStart beginning() {
        return new ReplayStart(null, null);
    }

    public static ReplayStart at(long timestampMs) {
        return new ReplayStart(timestampMs, null);
    }

    /**
     * @param offsets per {@code topic:partition} the first offset to replay
     * @throws IllegalArgumentException naming an entry that is not {@code topic:partition} or a negative offset
     */
    public static ReplayStart fromOffsets(Map<String, Long> offsets) {
        offsets.forEach((partition, offset) -> {
            int colon = partition.lastIndexOf(':');
            if (colon <= 0 || !partition.substring(colon + 1).matches("\\d+")) {
                throw new IllegalArgumentException("offsets: '" + partition + "' is not topic:partition");
            }
            if (offset == null || offset < 0) {
                throw new IllegalArgumentException("offsets: " + partition + " has offset " + offset
                        + "; give a non-negative offset");
            }
        });
        return new ReplayStart(null, offsets);
    }

    @Override
    public String toString() {
        return timestampMs != null ? "from " + java.time.Instant.ofEpochMilli(timestampMs)
                : offsets != null ? "from offsets " + offsets : "from the beginning";
    }
}
