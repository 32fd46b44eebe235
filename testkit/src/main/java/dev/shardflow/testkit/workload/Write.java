package dev.shardflow.testkit.workload;

import java.time.Instant;
import java.util.Objects;

/**
 * One row write the workload sent: which row, what it did, the version it gave the row, and when the database
 * answered. Whether the database acknowledged it is recorded by the {@link WriteLog} list it is in.
 */
public record Write(String table, long key, Op op, long version, String shard, Instant at) {

    public enum Op { INSERT, UPDATE, DELETE }

    public Write {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(at, "at");
    }

    /** The row this write leaves behind: its version, or empty for a delete. */
    RowState resultingState() {
        return op == Op.DELETE ? RowState.ABSENT : RowState.present(version);
    }

    @Override
    public String toString() {
        return op + " " + table + " " + key + " v" + version + " on " + shard + " at " + at;
    }
}
