package dev.shardflow.core.contract;

import java.util.List;

/**
 * The tables and columns shardflow keeps in a shard beside the application's data. Capture creates the source's
 * control tables, a writer its target's; the topology service writes markers and reads what writers applied.
 */
public final class ControlTables {
    /**
     * The control table on every source shard. A row written there becomes a marker (a cutover fence, a verify or
     * replay watermark), which capture places in every partition of every change topic after all changes the source
     * committed before it.
     */
    public static final String FENCE = "_shardflow_fence";
    /** The statement that writes a marker; parameters: id, epoch. */
    public static final String FENCE_INSERT = "INSERT INTO " + FENCE
            + " (id, epoch, created_at) VALUES (?, ?, CURRENT_TIMESTAMP)";
    /**
     * The table named by a schema event: not a table of any shard, but the name under which capture places the
     * definition of a managed table, when it changes, in every partition of that table's change topic, ahead of the
     * first change that has it ({@code dev.shardflow.core.schema.SchemaEvent}).
     */
    public static final String SCHEMA = "_shardflow_schema";
    /**
     * On a target: per source shard and managed table, the last definition its writers made the target fit, and a
     * change they hold the move for until an operator resumes it.
     */
    public static final String SCHEMA_STATE = "_shardflow_schema_state";
    /** On a PostgreSQL source: the single row capture's heartbeat updates, so that an idle slot moves forward. */
    public static final String HEARTBEAT = "_shardflow_heartbeat";
    /**
     * On a shard that decided a cross-shard transaction: one row per decision ({@code txid, outcome, decided_ms,
     * participants}). The coordinator inserts {@code commit} in the same local transaction as its own branch; a
     * recovery that finds a prepared branch without a decision inserts {@code abort}. The key makes the first
     * writer win, so a slow coordinator and a recovery can never decide both ways.
     */
    public static final String TX_DECISION = "_shardflow_tx_decision";
    /** On a target: versions of deleted rows, so that an older change applied again cannot bring a row back. */
    public static final String TOMBSTONE = "_shardflow_tombstone";
    /**
     * On a target: which copies of which markers of which sources its writers applied, one row per copy
     * ({@code source_shard, fence_id, path}), so that counting them says when a marker is in place.
     */
    public static final String FENCE_APPLIED = "_shardflow_fence_applied";
    /** The statement that counts the copies of one marker a target applied; parameter: the marker id. */
    public static final String FENCE_APPLIED_COUNT = "SELECT COUNT(*) FROM " + FENCE_APPLIED + " WHERE fence_id = ?";
    /**
     * The columns of {@link #FENCE_APPLIED} that say when a copy passed each stage, for the cutover's breakdown
     * (wall-clock epoch milliseconds; null where unknown): sent by capture (the record's timestamp), handed on by each
     * rebalancer hop ({@code hops}, comma-separated), read by the writer. The order of the columns is the order the
     * writer binds them in.
     */
    public static final List<String> FENCE_APPLIED_TIMES = List.of("captured_ms", "hops", "read_ms");
    /** The stage times of every copy of one marker a target applied; parameter: the marker id. */
    public static final String FENCE_APPLIED_TRAIL = "SELECT source_shard, path, captured_ms, hops, read_ms FROM "
            + FENCE_APPLIED + " WHERE fence_id = ?";

    /** Columns of a managed table whose names start so are shardflow's own, never data: they are not copied. */
    public static final String OWN_COLUMN_PREFIX = "_sf_";
    /** The column of a managed table that holds the version (24 bytes, see VersionStamp) of the row's last change. */
    public static final String VERSION_COLUMN = OWN_COLUMN_PREFIX + "version";

    private ControlTables() {}

    /** The column beside {@code column} that holds the version of the in-place view patch that last set it. */
    public static String patchVersionColumn(String column) {
        return VERSION_COLUMN + "_" + column;
    }

    /** True for a column of shardflow's own ({@value #OWN_COLUMN_PREFIX}...), which is never data. */
    public static boolean isOwnColumn(String column) {
        return column.startsWith(OWN_COLUMN_PREFIX);
    }
}
