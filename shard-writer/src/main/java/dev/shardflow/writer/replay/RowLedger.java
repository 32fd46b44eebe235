package dev.shardflow.writer.replay;

import java.util.HashMap;
import java.util.Map;

/**
 * What a replay knows about each row of one table of the shard, by canonical key: the offset of the row's last
 * change before the replay's watermark (only that one is applied), the image the log last has of it as a hash (what
 * the final check expects), and for a parent table the shard key of each row, which places its children.
 */
final class RowLedger {
    /** The hash that stands for "deleted". */
    static final long DELETED = 0x5f73665f64656cL;

    private final Map<String, Long> lastOffsets = new HashMap<>();
    private final Map<String, Long> expected = new HashMap<>();
    private final Map<String, Object> shardKeys = new HashMap<>();

    /** The row has a change at {@code offset}; a later one replaces it. A row's changes share one partition. */
    void changedAt(String key, long offset) {
        lastOffsets.put(key, offset);
    }

    /** True if the change at {@code offset} is the row's last before the watermark. */
    boolean isLast(String key, long offset) {
        Long last = lastOffsets.get(key);
        return last != null && last == offset;
    }

    /** The log's newest image of the row (a hash, or DELETED). */
    void expect(String key, long hash) {
        expected.put(key, hash);
    }

    /** The image the log last has, DELETED, or null if the log holds nothing of the row. */
    Long expected(String key) {
        return expected.get(key);
    }

    Map<String, Long> expected() {
        return expected;
    }

    void placeParent(String key, Object shardKey) {
        if (shardKey != null) {
            shardKeys.put(key, shardKey);
        }
    }

    Object parentShardKey(String key) {
        return shardKeys.get(key);
    }

    /** Frees what only the copy needed. */
    void copied() {
        lastOffsets.clear();
    }
}
