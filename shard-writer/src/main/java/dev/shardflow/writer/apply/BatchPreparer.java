package dev.shardflow.writer.apply;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.jdbc.TableMetadata;
import dev.shardflow.writer.jdbc.GuardedSql;
import dev.shardflow.writer.jdbc.TargetTable;
import dev.shardflow.writer.schema.SchemaChanges;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;


/**
 * Turns changes into a {@link PreparedBatch}: per row only its newest change, its values converted for the target
 * table as the database describes it. It reads a table's metadata the first time the table appears (and once more
 * when a change does not fit what was read, since an operator may have added a column), and keeps it until a write
 * fails, when {@link #forgetTables} makes the next batch read it again.
 */
final class BatchPreparer {
    /** Hands out a connection to the target, prepared for the first batch. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final SqlDialect dialect;
    private final GuardedSql.Unversioned unversioned;
    private final Connector connector;
    private final Map<String, TargetTable> tables = new ConcurrentHashMap<>();
    private volatile SchemaChanges schemas;

    BatchPreparer(SqlDialect dialect, GuardedSql.Unversioned unversioned, Connector connector) {
        this.dialect = dialect;
        this.unversioned = unversioned;
        this.connector = connector;
    }

    /** Makes schema events change the target or hold their partition; without, they are passed over. */
    void handleSchemas(SchemaChanges changes) {
        this.schemas = changes;
    }

    /** The failure may come from a table an operator has just changed: read every table again. */
    void forgetTables() {
        tables.clear();
    }

    /** Collapses a batch to the newest change per row and converts its values; see {@link PreparedBatch}. */
    PreparedBatch prepare(List<Change> changes) throws TargetUnavailableException {
        List<Rejected> rejected = new ArrayList<>();
        List<Change> fences = new ArrayList<>();
        List<PreparedBatch.Hold> holds = new ArrayList<>();
        Set<String> held = new HashSet<>();
        Map<Change.RowId, PreparedBatch.Prepared> newest = new LinkedHashMap<>();
        int superseded = 0;
        Connection connection = null;
        try {
            for (Change change : changes) {
                String partition = change.origin().topic() + ":" + change.origin().partition();
                if (held.contains(partition)) {
                    continue; // behind a held schema event: read again once the hold is lifted
                }
                if (change.event().isSchema()) {
                    connection = connection != null ? connection : connector.connect();
                    Optional<PreparedBatch.Hold> hold = schema(connection, change, rejected);
                    if (hold.isPresent()) {
                        holds.add(hold.get());
                        held.add(partition);
                    }
                    continue;
                }
                if (change.event().isFence()) {
                    fences.add(change);
                    continue;
                }
                TargetTable table = tables.get(change.event().table());
                boolean fresh = table == null;
                if (fresh) {
                    connection = connection != null ? connection : connector.connect();
                    table = table(connection, change, rejected);
                    if (table == null) {
                        continue;
                    }
                }
                PreparedBatch.Prepared prepared = convert(table, change, fresh ? rejected : null);
                if (prepared == null && !fresh) {
                    // the columns were read before; an operator may have added the one missing since: read again once
                    connection = connection != null ? connection : connector.connect();
                    tables.remove(change.event().table());
                    table = table(connection, change, rejected);
                    prepared = table == null ? null : convert(table, change, rejected);
                }
                if (prepared == null) {
                    continue;
                }
                PreparedBatch.Prepared previous = newest.get(change.rowId());
                if (previous == null || change.newerThan(previous.change())) {
                    newest.put(change.rowId(), prepared);
                }
                superseded += previous == null ? 0 : 1;
            }
            List<PreparedBatch.Prepared> rows = new ArrayList<>(newest.values());
            // by table name, not by the table's object: a batch may hold two reads of one table's columns (one read
            // again after a change of its columns), and an order must be the same whichever of them a row carries
            rows.sort(java.util.Comparator.comparing((PreparedBatch.Prepared row) -> row.table().name())
                    .thenComparing((a, b) -> a.table().compareKeys(a.change().event().key(),
                            b.change().event().key())));
            return new PreparedBatch(rows, fences, rejected, superseded, holds);
        } catch (SQLException e) {
            throw BatchApplier.unavailable(e);
        } finally {
            closeQuietly(connection);
        }
    }

    /**
     * Hands a schema event to {@link SchemaChanges}: the table's metadata is read again after the target changed, so
     * the rows behind the event convert to its new columns. Returns the hold, if the event holds its partition.
     */
    private Optional<PreparedBatch.Hold> schema(Connection connection, Change change, List<Rejected> rejected)
            throws SQLException {
        SchemaChanges handler = schemas;
        if (handler == null) {
            return Optional.empty();
        }
        SchemaEvent event;
        try {
            event = SchemaEvent.of(change.event()).orElseThrow();
        } catch (IllegalArgumentException unreadable) {
            rejected.add(new Rejected(change.origin(), change.event(), unreadable.getMessage(), unreadable));
            return Optional.empty();
        }
        SchemaChanges.Outcome outcome = handler.handle(connection, change.event().source().shard(), event,
                change.event().source().position());
        if (outcome instanceof SchemaChanges.Outcome.Held held) {
            return Optional.of(new PreparedBatch.Hold(change.origin().topic(), change.origin().partition(),
                    change.origin().offset(), held.reason()));
        }
        if (outcome instanceof SchemaChanges.Outcome.Passed passed && passed.changed()) {
            tables.remove(event.table());
        }
        return Optional.empty();
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the metadata it read is kept; a broken connection is the pool's to replace
            }
        }
    }

    private TargetTable table(Connection connection, Change change, List<Rejected> rejected) throws SQLException {
        String name = change.event().table();
        try {
            TargetTable table = TargetTable.of(dialect, TableMetadata.read(connection, name), unversioned);
            connection.commit(); // metadata reads open a transaction on PostgreSQL
            tables.put(name, table);
            return table;
        } catch (IllegalArgumentException noSuchTable) {
            rejected.add(new Rejected(change.origin(), change.event(), noSuchTable.getMessage(), noSuchTable));
            return null;
        }
    }

    /** @param rejected where a change that does not convert goes; null to leave it out */
    private static PreparedBatch.Prepared convert(TargetTable table, Change change, List<Rejected> rejected) {
        ChangeEvent event = change.event();
        try {
            Object[] values = change.isPatch() ? table.patchValues(event.after(), event.key(), change.version())
                    : change.isDelete() ? table.deleteValues(event.key(), change.version())
                    : table.upsertValues(event.row(), change.version());
            return new PreparedBatch.Prepared(change, table, values);
        } catch (IllegalArgumentException badValue) {
            if (rejected == null) {
                return null;
            }
            rejected.add(new Rejected(change.origin(), event, event.table() + " " + event.key() + ": "
                    + badValue.getMessage(), badValue));
            return null;
        }
    }
}
