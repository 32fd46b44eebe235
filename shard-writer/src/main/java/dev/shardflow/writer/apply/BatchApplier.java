package dev.shardflow.writer.apply;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.writer.jdbc.GuardedSql;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.jdbc.TableMetadata;
import dev.shardflow.writer.jdbc.TargetTable;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Applies a batch of changes to the target in one transaction, under the version guard: per row only its newest
 * change of the batch is written, an upsert older than the row's delete is dropped, and the guarded statements
 * leave newer rows alone; patches (columns an in-place view keeps) come last, under their own versions. Applying the
 * same batch again, or an older one, changes nothing.
 *
 * <p>A change that fails on a reachable target is found by halving the batch (each half in its own transaction)
 * until it stands alone, and is returned as rejected; the rest is applied. A failure that passes is thrown as
 * {@link TargetUnavailableException}, with nothing committed of the batch that failed.
 */
public final class BatchApplier {
    private final DataSource target;
    private final SqlDialect dialect;
    private final int rowsPerStatement;
    private final GuardedSql.Unversioned unversioned;
    private final Map<String, TargetTable> tables = new ConcurrentHashMap<>();
    private Preparation preparation; // guarded by this

    /** Work the target needs before the first batch, such as creating control tables; done once, when reachable. */
    @FunctionalInterface
    public interface Preparation {
        void prepare(Connection connection) throws SQLException;
    }

    public BatchApplier(DataSource target, SqlDialect dialect, int rowsPerStatement) {
        this(target, dialect, rowsPerStatement, null);
    }

    /** @param preparation run before the first batch; null if the target is already prepared */
    public BatchApplier(DataSource target, SqlDialect dialect, int rowsPerStatement, Preparation preparation) {
        this(target, dialect, rowsPerStatement, preparation, GuardedSql.Unversioned.OLDER);
    }

    /** @param unversioned how a row without a version counts against a change (see {@link GuardedSql.Unversioned}) */
    public BatchApplier(DataSource target, SqlDialect dialect, int rowsPerStatement, Preparation preparation,
            GuardedSql.Unversioned unversioned) {
        this.unversioned = unversioned;
        this.target = target;
        this.dialect = dialect;
        this.rowsPerStatement = rowsPerStatement;
        this.preparation = preparation;
    }

    /** What a batch did: the changes written per table, the ones older than what the batch or target holds, the rejected. */
    public record Outcome(Map<String, Integer> writtenPerTable, int superseded, List<Rejected> rejected) {}

    /** A change with its parameters converted for its table: an upsert row, or a delete's key and version. */
    private record Prepared(Change change, TargetTable table, Object[] values) {}

    /**
     * A batch ready to write: per row only its newest change, values converted; the changes that cannot be
     * converted are already rejected. Preparing needs the database only to read the metadata of a table not seen
     * before, so a writer prepares the next batch while it writes the current one.
     */
    public static final class PreparedBatch {
        private final List<Prepared> rows;
        private final List<Change> fences;
        private final List<Rejected> rejected;
        private final int superseded;

        private PreparedBatch(List<Prepared> rows, List<Change> fences, List<Rejected> rejected, int superseded) {
            this.rows = rows;
            this.fences = fences;
            this.rejected = rejected;
            this.superseded = superseded;
        }
    }

    /** Prepares and writes a batch. */
    public Outcome apply(List<Change> changes) throws TargetUnavailableException {
        return write(prepare(changes));
    }

    /** Collapses a batch to the newest change per row and converts its values; see {@link PreparedBatch}. */
    public PreparedBatch prepare(List<Change> changes) throws TargetUnavailableException {
        List<Rejected> rejected = new ArrayList<>();
        List<Change> fences = new ArrayList<>();
        Map<Change.RowId, Prepared> newest = new LinkedHashMap<>();
        int superseded = 0;
        Connection connection = null;
        try {
            for (Change change : changes) {
                if (change.event().isFence()) {
                    fences.add(change);
                    continue;
                }
                TargetTable table = tables.get(change.event().table());
                boolean fresh = table == null;
                if (fresh) {
                    connection = connection != null ? connection : connect();
                    table = table(connection, change, rejected);
                    if (table == null) {
                        continue;
                    }
                }
                Prepared prepared = convert(table, change, fresh ? rejected : null);
                if (prepared == null && !fresh) {
                    // the columns were read before; an operator may have added the one missing since: read again once
                    connection = connection != null ? connection : connect();
                    tables.remove(change.event().table());
                    table = table(connection, change, rejected);
                    prepared = table == null ? null : convert(table, change, rejected);
                }
                if (prepared == null) {
                    continue;
                }
                Prepared previous = newest.get(change.rowId());
                if (previous == null || change.newerThan(previous.change())) {
                    newest.put(change.rowId(), prepared);
                }
                superseded += previous == null ? 0 : 1;
            }
            List<Prepared> rows = new ArrayList<>(newest.values());
            rows.sort((a, b) -> a.table() != b.table() ? a.table().name().compareTo(b.table().name())
                    : a.table().compareKeys(a.change().event().key(), b.change().event().key()));
            return new PreparedBatch(rows, fences, rejected, superseded);
        } catch (SQLException e) {
            throw unavailable(e);
        } finally {
            closeQuietly(connection);
        }
    }

    /** Writes a prepared batch in one transaction, isolating changes that fail; see the class comment. */
    public Outcome write(PreparedBatch batch) throws TargetUnavailableException {
        try (Connection connection = connect()) {
            List<Rejected> rejected = new ArrayList<>(batch.rejected);
            Map<String, Integer> written = new HashMap<>();
            int superseded = batch.superseded + writeIsolating(connection, batch.rows, written, rejected);
            if (!batch.fences.isEmpty()) {
                rememberFences(connection, batch.fences);
                connection.commit();
            }
            return new Outcome(written, superseded, rejected);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private Connection connect() throws SQLException {
        Connection connection = target.getConnection();
        synchronized (this) {
            if (preparation != null) {
                preparation.prepare(connection);
                preparation = null;
            }
        }
        return connection;
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
    private static Prepared convert(TargetTable table, Change change, List<Rejected> rejected) {
        ChangeEvent event = change.event();
        try {
            Object[] values = change.isPatch() ? table.patchValues(event.after(), event.key(), change.version())
                    : change.isDelete() ? table.deleteValues(event.key(), change.version())
                    : table.upsertValues(event.row(), change.version());
            return new Prepared(change, table, values);
        } catch (IllegalArgumentException badValue) {
            if (rejected == null) {
                return null;
            }
            rejected.add(new Rejected(change.origin(), event, event.table() + " " + event.key() + ": "
                    + badValue.getMessage(), badValue));
            return null;
        }
    }

    /** Writes {@code rows} in one transaction, or in halves if a change in it fails; returns the rows found superseded. */
    private int writeIsolating(Connection connection, List<Prepared> rows, Map<String, Integer> written,
            List<Rejected> rejected) throws SQLException, TargetUnavailableException {
        if (rows.isEmpty()) {
            return 0;
        }
        try {
            Map<String, Integer> counts = new HashMap<>();
            int superseded = write(connection, rows, counts);
            connection.commit();
            counts.forEach((table, n) -> written.merge(table, n, Integer::sum));
            return superseded;
        } catch (SQLException e) {
            rollbackQuietly(connection, e);
            if (Failures.passes(e, target)) {
                throw unavailable(e);
            }
            tables.clear(); // the failure may come from a table an operator has just changed
            if (rows.size() == 1) {
                Change change = rows.get(0).change();
                rejected.add(new Rejected(change.origin(), change.event(), change.event().table() + " "
                        + change.event().key() + ": " + rootMessage(e), e));
                return 0;
            }
            int half = rows.size() / 2;
            List<Prepared> first = new ArrayList<>(rows.subList(0, half));
            List<Prepared> second = new ArrayList<>(rows.subList(half, rows.size()));
            return writeIsolating(connection, first, written, rejected)
                    + writeIsolating(connection, second, written, rejected);
        }
    }

    private int write(Connection connection, List<Prepared> rows, Map<String, Integer> counts) throws SQLException {
        Map<TargetTable, List<Prepared>> upserts = new LinkedHashMap<>();
        Map<TargetTable, List<Prepared>> deletes = new LinkedHashMap<>();
        Map<TargetTable, List<Prepared>> patches = new LinkedHashMap<>();
        for (Prepared row : rows) {
            (row.change().isPatch() ? patches : row.change().isDelete() ? deletes : upserts)
                    .computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row);
        }
        int superseded = 0;
        for (Map.Entry<TargetTable, List<Prepared>> entry : upserts.entrySet()) {
            List<Prepared> live = withoutDeleted(connection, entry.getKey(), entry.getValue());
            superseded += entry.getValue().size() - live.size();
            upsert(connection, entry.getKey(), live);
            counts.merge(entry.getKey().name(), live.size(), Integer::sum);
        }
        for (Map.Entry<TargetTable, List<Prepared>> entry : deletes.entrySet()) {
            delete(connection, entry.getKey(), entry.getValue());
            counts.merge(entry.getKey().name(), entry.getValue().size(), Integer::sum);
        }
        // patches last: they set columns of rows the batch may just have written
        for (Map.Entry<TargetTable, List<Prepared>> entry : patches.entrySet()) {
            patch(connection, entry.getKey(), entry.getValue());
            counts.merge(entry.getKey().name(), entry.getValue().size(), Integer::sum);
        }
        return superseded;
    }

    /** Drops upserts of rows whose recorded delete is as new or newer: an old insert must not bring them back. */
    private List<Prepared> withoutDeleted(Connection connection, TargetTable table, List<Prepared> rows)
            throws SQLException {
        if (!anyDeleted(connection, table)) {
            return rows;
        }
        Map<ByteBuffer, byte[]> deletedAt = new HashMap<>();
        for (int from = 0; from < rows.size(); from += rowsPerStatement) {
            List<Prepared> chunk = rows.subList(from, Math.min(rows.size(), from + rowsPerStatement));
            try (PreparedStatement select = connection.prepareStatement(GuardedSql.deletedVersions(chunk.size()))) {
                select.setString(1, table.name());
                for (int i = 0; i < chunk.size(); i++) {
                    select.setBytes(i + 2, chunk.get(i).change().rowKey());
                }
                try (ResultSet found = select.executeQuery()) {
                    while (found.next()) {
                        deletedAt.put(ByteBuffer.wrap(found.getBytes(1)), found.getBytes(2));
                    }
                }
            }
        }
        if (deletedAt.isEmpty()) {
            return rows;
        }
        return rows.stream().filter(row -> {
            byte[] deleted = deletedAt.get(ByteBuffer.wrap(row.change().rowKey()));
            return deleted == null || java.util.Arrays.compareUnsigned(row.change().version(), deleted) > 0;
        }).toList();
    }

    /**
     * Whether the target remembers any delete of the table. Usually it does not while a shard is being filled, and
     * one cheap query then saves looking every key up.
     */
    private static boolean anyDeleted(Connection connection, TargetTable table) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(GuardedSql.anyDeleted())) {
            select.setString(1, table.name());
            try (ResultSet found = select.executeQuery()) {
                return found.next();
            }
        }
    }

    private void upsert(Connection connection, TargetTable table, List<Prepared> rows) throws SQLException {
        int perRow = table.sql().parametersPerRow();
        int chunkRows = Math.max(1, Math.min(rowsPerStatement, 32_000 / perRow)); // PostgreSQL: at most 32767 parameters
        for (int from = 0; from < rows.size(); from += chunkRows) {
            List<Prepared> chunk = rows.subList(from, Math.min(rows.size(), from + chunkRows));
            try (PreparedStatement statement = connection.prepareStatement(table.sql().upsert(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    table.bindUpsert(statement, i * perRow, chunk.get(i).values());
                }
                statement.executeUpdate();
            }
        }
    }

    private void delete(Connection connection, TargetTable table, List<Prepared> rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(table.sql().delete())) {
            for (Prepared row : rows) {
                table.bindDelete(statement, row.values());
                statement.addBatch();
            }
            statement.executeBatch();
        }
        for (int from = 0; from < rows.size(); from += rowsPerStatement) {
            List<Prepared> chunk = rows.subList(from, Math.min(rows.size(), from + rowsPerStatement));
            try (PreparedStatement statement = connection.prepareStatement(table.sql().rememberDeletes(chunk.size()))) {
                int p = 1;
                for (Prepared row : chunk) {
                    statement.setString(p++, table.name());
                    statement.setBytes(p++, row.change().rowKey());
                    statement.setBytes(p++, row.change().version());
                }
                statement.executeUpdate();
            }
        }
    }

    /** Applies patches, one statement per set of patched columns, batched; a patch of a missing row changes nothing. */
    private static void patch(Connection connection, TargetTable table, List<Prepared> rows) throws SQLException {
        Map<List<String>, List<Prepared>> byColumns = new LinkedHashMap<>();
        for (Prepared row : rows) {
            byColumns.computeIfAbsent(table.patchedColumnNames(row.change().event().after().keySet()),
                    c -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<List<String>, List<Prepared>> group : byColumns.entrySet()) {
            try (PreparedStatement statement = connection.prepareStatement(table.sql().patch(group.getKey()))) {
                for (Prepared row : group.getValue()) {
                    table.bindPatch(statement, group.getKey(), row.values());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        }
    }

    private void rememberFences(Connection connection, List<Change> fences) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(GuardedSql.rememberFence(dialect))) {
            for (Change fence : fences) {
                statement.setString(1, fence.event().source().shard());
                statement.setString(2, String.valueOf(fence.event().key().get("id")));
                statement.setString(3, fence.origin().topic());
                statement.setInt(4, fence.origin().partition());
                statement.setString(5, fencePath(fence.origin().fencePath()));
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** A copy's path as stored: as it came, or its SHA-256 (hex) when longer than the column. */
    private static String fencePath(String path) {
        if (path == null) {
            return "";
        }
        if (path.length() <= 255) {
            return path;
        }
        return java.util.HexFormat.of().formatHex(Change.sha256(path.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static void rollbackQuietly(Connection connection, SQLException cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static TargetUnavailableException unavailable(SQLException e) {
        return new TargetUnavailableException(rootMessage(e), e);
    }

    private static String rootMessage(SQLException e) {
        SQLException next = e.getNextException();
        String message = next != null && next.getMessage() != null ? next.getMessage() : e.getMessage();
        return (e.getSQLState() != null ? "[" + e.getSQLState() + "] " : "") + message;
    }
}
