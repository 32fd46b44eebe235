package dev.shardflow.writer.apply;

import dev.shardflow.writer.jdbc.TargetTable;
import java.util.List;

/**
 * A batch ready to write: per row only its newest change, values converted; the changes that cannot be
 * converted are already rejected. Preparing needs the database only to read the metadata of a table not seen
 * before, so a writer prepares the next batch while it writes the current one.
 */
public final class PreparedBatch {
    final List<Prepared> rows;
    final List<Change> fences;
    final List<Rejected> rejected;
    final int superseded;
    final List<Hold> holds;

    PreparedBatch(List<Prepared> rows, List<Change> fences, List<Rejected> rejected, int superseded,
            List<Hold> holds) {
        this.rows = rows;
        this.fences = fences;
        this.rejected = rejected;
        this.superseded = superseded;
        this.holds = holds;
    }

    /**
     * A partition held at a schema event ({@code offset}): nothing of it from there on is in the batch, and its offset
     * is not committed past the event, which is read again when the hold is looked at next.
     */
    record Hold(String topic, int partition, long offset, String reason) {}

    /** A change with its parameters converted for its table: an upsert row, or a delete's key and version. */
    record Prepared(Change change, TargetTable table, Object[] values) {}
}
