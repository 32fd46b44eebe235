package dev.shardflow.writer.jdbc;

import static dev.shardflow.core.contract.ControlTables.FENCE_APPLIED;
import static dev.shardflow.core.contract.ControlTables.TOMBSTONE;
import static dev.shardflow.core.contract.ControlTables.VERSION_COLUMN;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.jdbc.TableMetadata;
import dev.shardflow.writer.schema.SchemaChanges;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a writer needs in its target database besides the user's tables: the {@value GuardedSql#VERSION_COLUMN}
 * column on each managed table, a patch-version column beside each column an in-place view keeps, the tombstone
 * table and the table of applied fences. {@link #prepare} creates what
 * is missing (each change logged). With schema management off, the writer still creates its own control tables but
 * never alters a user's table: a missing version column fails the start with the statement to run.
 *
 * <p>A view row's version is two stamps ({@link VersionStamp#rowVersion}), so a view table's version column and the
 * tombstone table's take {@value VersionStamp#VIEW_BYTES} bytes ({@code VARBINARY} in MariaDB and MySQL). A view
 * table written by an earlier shardflow, whose rows carry one stamp, has its column widened and those versions
 * cleared once, so that the next change of either of a row's two rows applies.
 */
public final class TargetSchema {
    private static final Logger log = LoggerFactory.getLogger(TargetSchema.class);

    private final SqlDialect dialect;

    public TargetSchema(SqlDialect dialect) {
        this.dialect = dialect;
    }

    /** The statements that create the control tables, idempotent. */
    public List<String> controlTables() {
        boolean pg = dialect == SqlDialect.POSTGRESQL;
        String bytes = pg ? "BYTEA" : "BINARY";
        return List.of("CREATE TABLE IF NOT EXISTS " + TOMBSTONE + " (tbl VARCHAR(128) NOT NULL, row_key "
                        + (pg ? bytes : "BINARY(32)") + " NOT NULL, version " + versionType(true)
                        + " NOT NULL, PRIMARY KEY (tbl, row_key))",
                "CREATE TABLE IF NOT EXISTS " + FENCE_APPLIED + " (source_shard VARCHAR(64) NOT NULL, "
                        + "fence_id VARCHAR(64) NOT NULL, topic VARCHAR(249) NOT NULL, part INT NOT NULL, "
                        + "path VARCHAR(255) NOT NULL, applied_at " + (pg ? "TIMESTAMP(3)" : "DATETIME(3)")
                        + " NOT NULL DEFAULT CURRENT_TIMESTAMP(3), " + String.join(", ", fenceTimeColumns())
                        + ", PRIMARY KEY (source_shard, fence_id, topic, part, path))",
                SchemaChanges.stateTable(pg ? Engine.POSTGRESQL : Engine.MARIADB));
    }

    /** The definitions of the stage-time columns of the applied-fence table, nullable. */
    private List<String> fenceTimeColumns() {
        return ControlTables.FENCE_APPLIED_TIMES.stream().map(column -> column + (column.endsWith("_ms")
                ? " BIGINT NULL" : " VARCHAR(255) NULL")).toList();
    }

    /**
     * The statements that add the stage-time columns to an applied-fence table created before they existed. Nullable,
     * so instant on PostgreSQL 11+ and MariaDB 10.3+; the primary key, which counts the copies, is unchanged.
     */
    private List<String> missingFenceTimeColumns(Connection connection) throws SQLException {
        TableMetadata applied = TableMetadata.read(connection, FENCE_APPLIED);
        List<String> missing = new ArrayList<>();
        List<String> definitions = fenceTimeColumns();
        for (int i = 0; i < definitions.size(); i++) {
            if (!applied.hasColumn(ControlTables.FENCE_APPLIED_TIMES.get(i))) {
                missing.add("ALTER TABLE " + FENCE_APPLIED + " ADD COLUMN " + definitions.get(i));
            }
        }
        return missing;
    }

    /** Adds the version column to a table; instant on PostgreSQL 11+ and MariaDB 10.3+ (a nullable column). */
    public String addVersionColumn(String table) {
        return addColumn(table, VERSION_COLUMN, false);
    }

    /** Adds the version column to a view's table, wide enough for a view row's two stamps. */
    public String addViewVersionColumn(String table) {
        return addColumn(table, VERSION_COLUMN, true);
    }

    private String addColumn(String table, String versionColumn, boolean view) {
        return "ALTER TABLE " + dialect.quote(table) + " ADD COLUMN " + dialect.quote(versionColumn) + " "
                + versionType(view) + " NULL";
    }

    /** @param view whether it holds a view row's version (two stamps), or may: the tombstone table's */
    private String versionType(boolean view) {
        return dialect == SqlDialect.POSTGRESQL ? "BYTEA"
                : view ? "VARBINARY(" + VersionStamp.VIEW_BYTES + ")" : "BINARY(" + VersionStamp.BYTES + ")";
    }

    /**
     * The statement that widens a {@code BINARY(24)} version column to take a view row's two stamps (MariaDB and
     * MySQL; its values keep their bytes), if it is narrower; PostgreSQL's {@code bytea} takes any length.
     */
    private Optional<String> widened(Connection connection, String table, String column, boolean nullable)
            throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL || columnSize(connection, table, column) >= VersionStamp.VIEW_BYTES) {
            return Optional.empty();
        }
        return Optional.of("ALTER TABLE " + dialect.quote(table) + " MODIFY " + dialect.quote(column) + " "
                + versionType(true) + (nullable ? " NULL" : " NOT NULL"));
    }

    private static int columnSize(Connection connection, String table, String column) throws SQLException {
        try (ResultSet columns = connection.getMetaData().getColumns(connection.getCatalog(), null, table, column)) {
            return columns.next() ? columns.getInt("COLUMN_SIZE") : Integer.MAX_VALUE;
        }
    }

    /**
     * Clears the versions a view's rows got from a shardflow that versioned them by one stamp (the newer of their two
     * rows'), which do not order with two stamps; a row without a version takes the next change of either row.
     * Reads the table once at each start; clears only once.
     */
    private void clearOneStampVersions(Statement statement, String view) throws SQLException {
        String oneStamp = " WHERE OCTET_LENGTH(" + dialect.quote(VERSION_COLUMN) + ") = " + VersionStamp.BYTES;
        try (ResultSet found = statement.executeQuery("SELECT 1 FROM " + dialect.quote(view) + oneStamp
                + " LIMIT 1")) {
            if (!found.next()) {
                return;
            }
        }
        int rows = statement.executeUpdate("UPDATE " + dialect.quote(view) + " SET " + dialect.quote(VERSION_COLUMN)
                + " = NULL" + oneStamp);
        log.info("view {}: cleared the one-stamp versions of {} rows; the next change of either of a row's two rows "
                + "applies", view, rows);
    }

    /**
     * Makes sure the control tables exist and each of {@code tables} that exists has the version column.
     * Tables the target lacks are left alone: their changes go to the dead-letter topic when they come.
     *
     * @param views which of {@code tables} are views' tables, versioned by two stamps
     * @param patched per table, the columns in-place views patch, each of which needs its patch-version column
     * @param manage whether to add missing version columns; if false, a missing one fails with the DDL to run
     */
    public void prepare(Connection connection, List<String> tables, Set<String> views,
            Map<String, List<String>> patched, boolean manage) throws SQLException {
        List<String> missing = new ArrayList<>();
        List<String> presentViews = new ArrayList<>();
        for (String table : tables) {
            TableMetadata metadata;
            try {
                metadata = TableMetadata.read(connection, table);
            } catch (IllegalArgumentException absentOrNoKey) {
                log.warn("target has no usable table {}: {}; its changes will go to the dead-letter topic", table,
                        absentOrNoKey.getMessage());
                continue;
            }
            if (!metadata.hasColumn(VERSION_COLUMN)) {
                missing.add(views.contains(table) ? addViewVersionColumn(table) : addVersionColumn(table));
            } else if (views.contains(table)) {
                widened(connection, table, VERSION_COLUMN, true).ifPresent(missing::add);
            }
            if (views.contains(table)) {
                presentViews.add(table);
            }
            for (String column : patched.getOrDefault(table, List.of())) {
                if (!metadata.hasColumn(ControlTables.patchVersionColumn(column))) {
                    missing.add(addColumn(table, ControlTables.patchVersionColumn(column), false));
                }
            }
        }
        if (!manage && !missing.isEmpty()) {
            throw new IllegalStateException("target tables lack the version column, or a view's is too narrow for "
                    + "two stamps, and manageSchema is off; run: "
                    + String.join("; ", missing));
        }
        List<String> statements = new ArrayList<>(controlTables());
        statements.addAll(missing);
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
                if (sql.startsWith("ALTER")) {
                    log.info("{} a version column: {}", sql.contains(" MODIFY ") ? "widened" : "added", sql);
                }
            }
            for (String sql : widened(connection, TOMBSTONE, "version", false).stream().toList()) {
                statement.execute(sql);
                log.info("widened the tombstone table's version for views' two stamps: {}", sql);
            }
            for (String view : presentViews) {
                clearOneStampVersions(statement, view);
            }
            for (String sql : missingFenceTimeColumns(connection)) {
                statement.execute(sql);
                log.info("added a column to the table of applied fences: {}", sql);
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
