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

    PreparedBatch(List<Prepared> rows, List<Change> fences, List<Rejected> rejected, int superseded) {
        this.rows = rows;
        this.fences = fences;
        this.rejected = rejected;
        this.superseded = superseded;
    }

    /** A change with its parameters converted for its table: an upsert row, or a delete's key and version. */
    record Prepared(Change change, TargetTable table, Object[] values) {}
}
