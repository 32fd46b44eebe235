package dev.shardflow.writer.schema;

import static dev.shardflow.core.contract.ControlTables.SCHEMA_STATE;

import dev.shardflow.core.event.SourcePosition;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.DdlPolicy;
import dev.shardflow.core.schema.SchemaDiff;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.CatalogTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a writer does with a schema event: makes its target fit the source's new definition before the first row that
 * has it, or holds the partition it came by until an operator resumes the move.
 *
 * <p>The target remembers, per source shard and table, the definition it was last made to fit ({@link
 * dev.shardflow.core.contract.ControlTables#SCHEMA_STATE}); a new one is compared with it ({@link SchemaDiff}). With
 * {@link DdlPolicy#PROPAGATE}, additive changes are made ({@link SchemaStatements}) and the rows go on. A change that
 * is not additive — or any change with {@link DdlPolicy#PAUSE} — is recorded as held, with what changed and the
 * statement, and the event is not passed: every copy of it, on every partition, holds there, so no row of the new
 * definition is applied or dead-lettered meanwhile. Once the operator has made the change on the targets and resumed
 * ({@code shardctl rebalance resume}, which marks the held row resumed), the next look at the event passes it. With
 * nothing known of a source yet, only what the target lacks is added. {@link DdlPolicy#IGNORE} records the definition
 * and passes every event. The secondary indexes an event lists are made where the target lacks them ({@link
 * SchemaIndexes}), once its columns fit, with {@code propagate}.
 *
 * <p>One event is handled at a time per writer process; a change is made only where the target does not have it yet, so
 * the copies of one event that arrive by many paths, or at writers of several processes, make it once.
 */
public final class SchemaChanges {
    private static final Logger log = LoggerFactory.getLogger(SchemaChanges.class);

    private final String shard;
    private final Engine engine;
    private final DdlPolicy policy;
    private final SchemaStatements statements;
    private final SchemaIndexes indexes;

    public SchemaChanges(String shard, Engine engine, DdlPolicy policy) {
        this.shard = shard;
        this.engine = engine;
        this.policy = policy;
        this.statements = new SchemaStatements(engine);
        this.indexes = new SchemaIndexes(shard, engine, statements);
    }

    /** What became of an event: passed (the rows behind it may go on), or held with the reason. */
    public sealed interface Outcome {
        /**
         * The target fits the definition; {@code changed}: whether its table may have changed since it was last read —
         * this look made a change, or an operator made one before resuming.
         */
        record Passed(boolean changed) implements Outcome {}

        /** The event holds its partition until the operator resumes the move. */
        record Held(String reason) implements Outcome {}
    }

    /** The statement that creates the state table, idempotent. */
    public static String stateTable(Engine engine) {
        boolean pg = engine == Engine.POSTGRESQL;
        String text = pg ? "TEXT" : "LONGTEXT";
        String time = pg ? "TIMESTAMP(3)" : "DATETIME(3)";
        return "CREATE TABLE IF NOT EXISTS " + SCHEMA_STATE + " (source_shard VARCHAR(64) NOT NULL, "
                + "tbl VARCHAR(128) NOT NULL, digest VARCHAR(64) NULL, position VARCHAR(64) NULL, definition " + text
                + " NULL, "
                + "held_digest VARCHAR(64) NULL, held_reason " + text + " NULL, held_since " + time + " NULL, "
                + "resumed_digest VARCHAR(64) NULL, updated_at " + time + " NOT NULL, "
                + "PRIMARY KEY (source_shard, tbl))";
    }

    /**
     * Handles one copy of a schema event from {@code source}, on a connection of the caller's, which it leaves
     * with nothing open and autocommit off.
     *
     * @throws SQLException when the target cannot be read or reached, or a lock for a change is not granted in time;
     *     the batch is tried again
     */
    public synchronized Outcome handle(Connection connection, String source, SchemaEvent event,
            SourcePosition position) throws SQLException {
        TableDefinition wanted = event.definition();
        String digest = wanted.digest();
        String at = HexFormat.of().formatHex(new VersionStamp(0, position).toBytes());
        connection.setAutoCommit(false);
        State state = lockState(connection, source, wanted.table());
        if (state.position != null && at.compareTo(state.position) < 0 && !digest.equals(state.digest)) {
            // an older one: its copies come by every partition of the change topic, and those paths interleave, so
            // an older definition can arrive after a newer one; the rows behind it are older too, and fit the newer
            // definition's table
            connection.commit();
            return new Outcome.Passed(false);
        }
        if (digest.equals(state.digest)) {
            connection.commit(); // the one made already; its indexes may have changed since
            if (policy == DdlPolicy.PROPAGATE) {
                indexes.make(connection, source, event);
            }
            return new Outcome.Passed(false);
        }
        if (policy == DdlPolicy.IGNORE) {
            log.info("writer {}: {} of {} changed on shard {}; ddl: ignore, so the target is left as it is",
                    shard, "definition", wanted.table(), source);
            store(connection, source, wanted, at);
            return new Outcome.Passed(false);
        }
        Optional<CatalogTable> present = CatalogTable.read(connection, engine, wanted.table());
        if (present.isEmpty()) {
            connection.commit(); // no table: its rows go to the dead-letter topic, which says so
            return new Outcome.Passed(false);
        }
        SchemaDiff diff = state.definition == null ? SchemaDiff.missing(wanted, present.get().definition())
                : SchemaDiff.between(state.definition, wanted);
        // made here already: the change came from this very shard (its own table), or the operator made it before
        // its event arrived; nothing to wait for
        boolean operatorResumed = digest.equals(state.resumedDigest);
        boolean madeHere = source.equals(shard) || (!diff.additive() && alreadyMade(diff, present.get()));
        boolean resumed = operatorResumed || madeHere;
        if (!resumed && !diff.isEmpty() && (!diff.additive() || policy == DdlPolicy.PAUSE)) {
            return hold(connection, source, event, state, reason(source, event, diff));
        }
        List<String> ddl;
        try {
            ddl = statements.statements(diff, wanted.engine(), present.get());
        } catch (SchemaStatements.Unfit unfit) {
            if (resumed) {
                ddl = List.of(); // the operator has made the change as it fits this target
            } else {
                return hold(connection, source, event, state, "shard " + source + ": " + unfit.getMessage()
                        + "; make the change on this target and resume the move");
            }
        }
        connection.commit(); // the state row's lock is taken again below: DDL commits on MariaDB anyway
        for (String sql : ddl) {
            try {
                execute(connection, sql);
            } catch (SQLException e) {
                if (retried(e)) {
                    throw e;
                }
                State now = lockState(connection, source, wanted.table());
                return hold(connection, source, event, now, "shard " + source + " changed table " + wanted.table()
                        + ", and the change failed here (" + sql + "): " + e.getMessage() + "; make it on this "
                        + "target and resume the move");
            }
            log.info("writer {}: made {}'s change of {} here: {}", shard, source, wanted.table(), sql);
        }
        lockState(connection, source, wanted.table());
        store(connection, source, wanted, at);
        if (operatorResumed) {
            log.info("writer {}: the held change of {} from shard {} passes, the move was resumed", shard,
                    wanted.table(), source);
        } else if (madeHere && !diff.additive()) {
            log.info("writer {}: shard {} changed table {} ({}), and this target has that change already; it passes",
                    shard, source, wanted.table(), diff.describe());
        }
        if (policy == DdlPolicy.PROPAGATE) {
            indexes.make(connection, source, event);
        }
        return new Outcome.Passed(!ddl.isEmpty() || resumed);
    }

    /** True if the target already has every change of {@code diff} that is not additive, as the source made it. */
    static boolean alreadyMade(SchemaDiff diff, CatalogTable target) {
        for (SchemaDiff.Change change : diff.unsafe()) {
            Optional<ColumnDefinition> there = change.column() == null ? Optional.empty()
                    : target.column(change.column());
            boolean made = switch (change.kind()) {
                case DROPPED -> there.isEmpty();
                case NARROWED -> there.isPresent() && there.get().type().sameAs(change.after().type());
                case NULL_REFUSED -> there.isPresent() && !there.get().nullable();
                case ADDED_REQUIRED -> there.isPresent();
                case KEY_CHANGED -> false;
                default -> true;
            };
            if (!made) {
                return false;
            }
        }
        return true;
    }

    /** A failure that passes: the target unreachable, or a lock it did not grant in time. */
    static boolean retried(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.equals("55P03") || state.equals("57P01") || state.equals("57014")
                || e.getErrorCode() == 1205 || e.getErrorCode() == 1213;
    }

    private static String reason(String source, SchemaEvent event, SchemaDiff diff) {
        return "shard " + source + " changed table " + event.table() + ": " + diff.describe()
                + (event.statement() == null ? "" : " (" + event.statement() + ")");
    }

    private Outcome hold(Connection connection, String source, SchemaEvent event, State state, String reason)
            throws SQLException {
        String digest = event.definition().digest();
        if (!digest.equals(state.heldDigest)) {
            try (PreparedStatement update = connection.prepareStatement("UPDATE " + SCHEMA_STATE + " SET held_digest = "
                    + "?, held_reason = ?, held_since = CURRENT_TIMESTAMP(3), resumed_digest = NULL, updated_at = "
                    + "CURRENT_TIMESTAMP(3) WHERE source_shard = ? AND tbl = ?")) {
                update.setString(1, digest);
                update.setString(2, reason);
                update.setString(3, source);
                update.setString(4, event.table());
                update.executeUpdate();
            }
            log.warn("writer {}: holding the move's rows behind a schema change: {}; make it on every target, then "
                    + "run shardctl rebalance resume", shard, reason);
        }
        connection.commit();
        return new Outcome.Held(reason);
    }

    private void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // an ALTER waiting for a lock makes every query of the table wait behind it: give up soon, retry later
            if (engine == Engine.POSTGRESQL) {
                statement.execute("SET LOCAL lock_timeout = '5s'");
                statement.execute(sql);
            } else if (engine == Engine.MARIADB) {
                statement.execute("SET STATEMENT lock_wait_timeout = 5 FOR " + sql);
            } else {
                statement.execute(sql);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
    }

    private static void store(Connection connection, String source, TableDefinition definition, String position)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + SCHEMA_STATE + " SET digest = ?, "
                + "position = ?, definition = ?, held_digest = NULL, held_reason = NULL, held_since = NULL, "
                + "resumed_digest = NULL, updated_at = CURRENT_TIMESTAMP(3) WHERE source_shard = ? AND tbl = ?")) {
            update.setString(1, definition.digest());
            update.setString(2, position);
            update.setString(3, definition.toJson());
            update.setString(4, source);
            update.setString(5, definition.table());
            update.executeUpdate();
        }
        connection.commit();
    }

    /** The pair's row, created if missing, locked until the transaction ends. */
    private State lockState(Connection connection, String source, String table) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement select = connection.prepareStatement("SELECT digest, definition, held_digest, "
                    + "resumed_digest, position FROM " + SCHEMA_STATE + " WHERE source_shard = ? AND tbl = ? FOR UPDATE")) {
                select.setString(1, source);
                select.setString(2, table);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        String definition = row.getString(2);
                        return new State(row.getString(1), definition == null ? null
                                : TableDefinition.fromJson(definition), row.getString(3), row.getString(4),
                                row.getString(5));
                    }
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(engine == Engine.POSTGRESQL
                    ? "INSERT INTO " + SCHEMA_STATE + " (source_shard, tbl, updated_at) VALUES (?, ?, "
                            + "CURRENT_TIMESTAMP(3)) ON CONFLICT DO NOTHING"
                    : "INSERT IGNORE INTO " + SCHEMA_STATE + " (source_shard, tbl, updated_at) VALUES (?, ?, "
                            + "CURRENT_TIMESTAMP(3))")) {
                insert.setString(1, source);
                insert.setString(2, table);
                insert.executeUpdate();
            }
        }
        throw new SQLException("the row of " + source + "." + table + " in " + SCHEMA_STATE + " vanished");
    }

    /** The pair's row; {@code position}: where in the source's log the definition made took effect (hex, ordered). */
    private record State(String digest, TableDefinition definition, String heldDigest, String resumedDigest,
            String position) {}
}
