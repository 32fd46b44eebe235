package dev.shardflow.capture.preflight;

import dev.shardflow.capture.SourceConnection;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Tells, while a PostgreSQL shard is captured, whether a table's deletes still carry their placement column. The
 * start's checks cover the relations that existed then; a partition created or attached later begins with
 * {@code REPLICA IDENTITY DEFAULT}, and a delete in it logs only the primary key — Debezium then fills the other
 * columns with their types' defaults (a user id of 0), which would route the delete to the wrong shard. Only a
 * delete whose placement column holds such a default is in doubt; for each of those the table's relations are read
 * again, unless a problem was found within the last {@code refreshMs} (a flood of such deletes costs one read per
 * interval, and a partition fixed meanwhile is seen within it). A "no problem" is never taken from the past.
 */
public final class ReplicaIdentityWatch {
    private final ShardSpec shard;
    private final String password;
    private final Map<String, TableSpec> tables = new HashMap<>();
    private final long refreshMs;
    private final LongSupplier clock;
    /** The last problem found per table, trusted for {@code refreshMs}; an answer of no problem is not kept. */
    private final Map<String, Found> found = new HashMap<>();

    private record Found(long atMs, String problem) {}

    public ReplicaIdentityWatch(ShardSpec shard, String password, List<TableSpec> tables, long refreshMs,
            LongSupplier clock) {
        this.shard = shard;
        this.password = password;
        tables.stream().filter(SourcePreflight::needsWholeRow).forEach(t -> this.tables.put(t.name(), t));
        this.refreshMs = refreshMs;
        this.clock = clock;
    }

    /**
     * Why this delete may not say where its row lived, with the fix, or empty: its placement column holds a value a
     * key-only old row is filled with (null, 0, the empty text, the epoch's date), and a relation of its table does
     * not log whole rows.
     */
    public Optional<String> doubt(ChangeEvent delete) {
        TableSpec spec = tables.get(delete.table());
        if (spec == null || delete.op() != Op.DELETE || delete.before() == null
                || !filledIn(delete.before().get(SourcePreflight.placementColumn(spec)))) {
            return Optional.empty();
        }
        return problem(delete.table());
    }

    /** Debezium's value for a column a key-only old row does not hold: null, or its type's zero. */
    static boolean filledIn(Object value) {
        return value == null
                || (value instanceof Number number && number.doubleValue() == 0)
                || (value instanceof String text && (text.isEmpty() || text.startsWith("1970-01-01")))
                || Boolean.FALSE.equals(value);
    }

    /**
     * Why a delete of {@code table} captured now may lack its placement column, with the fix, or empty when every
     * relation of the table logs whole rows. A check that cannot reach the source counts as a problem: a delete is
     * never passed on unchecked.
     */
    synchronized Optional<String> problem(String table) {
        TableSpec spec = tables.get(table);
        if (spec == null) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        Found last = found.get(table);
        if (last != null && now - last.atMs() < refreshMs) {
            return Optional.of(last.problem());
        }
        Optional<String> problem = read(spec);
        problem.ifPresentOrElse(p -> found.put(table, new Found(now, p)), () -> found.remove(table));
        return problem;
    }

    private Optional<String> read(TableSpec table) {
        try (Connection connection = SourceConnection.open(shard, password)) {
            return SourcePreflight.identityProblem(shard, connection, table);
        } catch (SQLException e) {
            return Optional.of("shard " + shard.id() + ": cannot read the replica identity of " + table.name() + " ("
                    + e.getMessage() + "); check that the source is reachable");
        }
    }
}
