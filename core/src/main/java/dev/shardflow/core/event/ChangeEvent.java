package dev.shardflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.shardflow.core.contract.ControlTables;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row change, the envelope every shardflow topic carries: which keyspace and table, what happened ({@link Op}),
 * the row's primary key, its state before and after, the value of its shard key, where it came from, and the
 * topology epoch it was routed under. Column values are JSON values: strings, numbers (decimals exact), booleans,
 * nulls; dates and times as ISO-8601 strings.
 *
 * <p>A create or snapshot read has {@code after} and no {@code before}; a delete has {@code before} and no
 * {@code after}; an update has {@code after} and, where the source logs it, {@code before}; a patch has in
 * {@code after} only the columns it sets.
 *
 * <p>A change of a view row joins two rows: {@code source} and {@code epoch} are those of its {@code from} row, and
 * {@code joined} names the version of the row it is joined with. Other changes have no {@code joined}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeEvent(String keyspace, String table, Op op, Map<String, Object> key, Map<String, Object> before,
        Map<String, Object> after, Object shardKey, Source source, long epoch, Joined joined) {

    /** The version of the joined row of a view change: where that row's last change came from, and its epoch. */
    public record Joined(Source source, long epoch) {
        public Joined {
            Objects.requireNonNull(source, "joined.source");
            if (epoch < 0) {
                throw new IllegalArgumentException("joined.epoch must not be negative, was " + epoch);
            }
        }
    }

    /** A change of one row, not of a view: nothing joined. */
    public ChangeEvent(String keyspace, String table, Op op, Map<String, Object> key, Map<String, Object> before,
            Map<String, Object> after, Object shardKey, Source source, long epoch) {
        this(keyspace, table, op, key, before, after, shardKey, source, epoch, null);
    }

    /**
     * The Kafka header on each copy of a fence marker bound for a writer: the change partitions the copy came
     * through, so that the copies of one marker are told apart and counted.
     */
    public static final String FENCE_PATH_HEADER = "shardflow.fence.path";
    /**
     * The Kafka header on each copy of a fence marker bound for a writer: when each rebalancer hop handed the copy on
     * (wall-clock epoch milliseconds, comma-separated, first hop first). Timing only, for the cutover's breakdown;
     * never part of what tells copies apart.
     */
    public static final String FENCE_HOPS_HEADER = "shardflow.fence.hops";
    /**
     * The version of this envelope's format, written in every event as {@code "format"}: a reader refuses a newer
     * one by name rather than guess at it (an event without it is of format 1). Fields are only ever added within a
     * format; readers skip fields they do not know.
     */
    public static final int FORMAT = 1;

    /** The envelope's format, {@link #FORMAT}, written first in every event. */
    @JsonProperty(value = "format", index = 0)
    public int format() {
        return FORMAT;
    }

    public ChangeEvent {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(source, "source");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(table + ": a change event needs its primary key");
        }
        switch (op) {
            case DELETE -> {
                if (after != null) {
                    throw new IllegalArgumentException(table + " " + key + ": a delete has no after image");
                }
            }
            case CREATE, READ, UPDATE, PATCH -> {
                if (after == null) {
                    throw new IllegalArgumentException(table + " " + key + ": a " + op + " needs its after image");
                }
            }
        }
        key = copy(key);
        before = before == null ? null : copy(before);
        after = after == null ? null : copy(after);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
    }

    /** True for a fence marker (a change of {@link ControlTables#FENCE}), which is control, not data. */
    public boolean isFence() {
        return ControlTables.FENCE.equals(table);
    }

    /** True for a schema event (a change of {@link ControlTables#SCHEMA}): a table's definition, not a row. */
    public boolean isSchema() {
        return ControlTables.SCHEMA.equals(table);
    }

    /**
     * True for a marker — a fence or a schema event — which is control, not data: it goes to every partition on its
     * way rather than to its row's, and is never applied as a row.
     */
    public boolean isMarker() {
        return isFence() || isSchema();
    }

    /** True for a patch: a few columns of an existing row, not the row. */
    public boolean isPatch() {
        return op == Op.PATCH;
    }

    /** The row as it is after this change: {@code after}, or null for a delete. */
    public Map<String, Object> row() {
        return after;
    }

    /** The same change routed under another epoch. */
    public ChangeEvent withEpoch(long newEpoch) {
        return new ChangeEvent(keyspace, table, op, key, before, after, shardKey, source, newEpoch, joined);
    }

    // Column values may be null, which Map.copyOf refuses; keep column order.
    private static Map<String, Object> copy(Map<String, Object> row) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(row));
    }
}
