package dev.shardflow.writer.apply;

import dev.shardflow.jdbc.Privileges;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.writer.jdbc.GuardedSql;
import dev.shardflow.writer.schema.SchemaChanges;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final BatchPreparer preparer;
    private final GuardedWrites writes;
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
        this.target = target;
        this.preparation = preparation;
        this.preparer = new BatchPreparer(dialect, unversioned, this::connect);
        this.writes = new GuardedWrites(dialect, rowsPerStatement);
    }

    /** Makes schema events change the target, or hold their partition, as {@code changes} decides. */
    public BatchApplier handleSchemas(SchemaChanges changes) {
        preparer.handleSchemas(changes);
        return this;
    }

    /** What a batch did: the changes written per table, the ones older than what the batch or target holds, the rejected. */
    public record Outcome(Map<String, Integer> writtenPerTable, int superseded, List<Rejected> rejected) {}

    /** Prepares and writes a batch. */
    public Outcome apply(List<Change> changes) throws TargetUnavailableException {
        return write(prepare(changes));
    }

    /**
     * Collapses a batch to the newest change per row and converts its values; see {@link PreparedBatch}. Preparing
     * needs the database only to read the metadata of a table not seen before, so a writer prepares the next batch
     * while it writes the current one.
     */
    public PreparedBatch prepare(List<Change> changes) throws TargetUnavailableException {
        return preparer.prepare(changes);
    }

    /** Writes a prepared batch in one transaction, isolating changes that fail; see the class comment. */
    public Outcome write(PreparedBatch batch) throws TargetUnavailableException {
        try (Connection connection = connect()) {
            List<Rejected> rejected = new ArrayList<>(batch.rejected);
            Map<String, Integer> written = new HashMap<>();
            int superseded = batch.superseded + writeIsolating(connection, batch.rows, written, rejected);
            if (!batch.fences.isEmpty()) {
                writes.rememberFences(connection, batch.fences);
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

    /** Writes {@code rows} in one transaction, or in halves if a change in it fails; returns the rows found superseded. */
    private int writeIsolating(Connection connection, List<PreparedBatch.Prepared> rows, Map<String, Integer> written,
            List<Rejected> rejected) throws SQLException, TargetUnavailableException {
        if (rows.isEmpty()) {
            return 0;
        }
        try {
            Map<String, Integer> counts = new HashMap<>();
            int superseded = writes.write(connection, rows, counts);
            connection.commit();
            counts.forEach((table, n) -> written.merge(table, n, Integer::sum));
            return superseded;
        } catch (SQLException e) {
            rollbackQuietly(connection, e);
            if (Failures.passes(e, target)) {
                throw unavailable(e);
            }
            preparer.forgetTables();
            if (rows.size() == 1) {
                Change change = rows.get(0).change();
                rejected.add(new Rejected(change.origin(), change.event(), change.event().table() + " "
                        + change.event().key() + ": " + rootMessage(e), e));
                return 0;
            }
            int half = rows.size() / 2;
            List<PreparedBatch.Prepared> first = new ArrayList<>(rows.subList(0, half));
            List<PreparedBatch.Prepared> second = new ArrayList<>(rows.subList(half, rows.size()));
            return writeIsolating(connection, first, written, rejected)
                    + writeIsolating(connection, second, written, rejected);
        }
    }

    private static void rollbackQuietly(Connection connection, SQLException cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static TargetUnavailableException unavailable(SQLException e) {
        if (Privileges.isDenied(e)) {
            return new TargetUnavailableException("missing privilege on the target, retried until it is granted ("
                    + rootMessage(e) + "); shardctl capture check names the GRANT", e);
        }
        return new TargetUnavailableException(rootMessage(e), e);
    }

    private static String rootMessage(SQLException e) {
        SQLException next = e.getNextException();
        String message = next != null && next.getMessage() != null ? next.getMessage() : e.getMessage();
        return (e.getSQLState() != null ? "[" + e.getSQLState() + "] " : "") + message;
    }
}
