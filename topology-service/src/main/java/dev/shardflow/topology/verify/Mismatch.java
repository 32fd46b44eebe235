package dev.shardflow.topology.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One difference verify found and confirmed: a row of {@code table} with key {@code key} as the owner holds it and as
 * the other shard holds it (null where that side has no such row). Values are shown as canonical text, long ones cut
 * short and those of secret-looking columns masked.
 *
 * @param owner the shard whose row is the truth: the key's owner at the epoch in force
 * @param other the shard compared with it: the key's other owner during a rebalance, or the shard an orphan is on
 * @param reason why the row differs, when shardflow knows it (a row larger than {@code maxRowBytes}, dead-lettered at
 *     capture), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Mismatch(Kind kind, String table, String key, String owner, String other, Map<String, String> ownerRow,
        Map<String, String> otherRow, String reason) {

    public enum Kind {
        /** Both sides hold the row, with different values. */
        DIFFERS,
        /** The owner holds the row and the other side does not. */
        MISSING,
        /** The other side holds a row the owner does not. */
        EXTRA,
        /** A row on a shard that does not own its key (and is not its other owner during a rebalance). */
        ORPHAN,
        /** An orphan whose key the owner holds as well: the key is on two shards. */
        DUPLICATE,
        /** A reference table's row that differs from, or is missing on, a shard compared with the first. */
        REFERENCE
    }

    /** One line for logs and lists: kind, table, key, where, and why when known. */
    public String summary() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + table + " " + key + " (owner " + owner
                + (other == null ? "" : ", other " + other) + ")" + (reason == null ? "" : ": " + reason);
    }

    /**
     * Why rows differ, when shardflow knows it: a lookup by table and key ({@code RowReader.keyText}), prepared anew
     * for each verify run.
     */
    public interface Reasons {
        /** Why the row of {@code table} with {@code key} differs, or null. */
        String reason(String table, String key);

        /** The lookup for a new run: what it reads, it reads again. */
        default Reasons fresh() {
            return this;
        }

        Reasons NONE = (table, key) -> null;
    }
}
