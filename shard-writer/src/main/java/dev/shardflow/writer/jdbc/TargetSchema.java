package dev.shardflow.writer.jdbc;

import static dev.shardflow.core.contract.ControlTables.FENCE_APPLIED;
import static dev.shardflow.core.contract.ControlTables.TOMBSTONE;
import static dev.shardflow.core.contract.ControlTables.VERSION_COLUMN;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.jdbc.TableMetadata;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a writer needs in its target database besides the user's tables: the {@value GuardedSql#VERSION_COLUMN}
 * column on each managed table, a patch-version column beside each column an in-place view keeps, the tombstone
 * table and the table of applied fences. {@link #prepare} creates what
 * is missing (each change logged). With schema management off, the writer still creates its own control tables but
 * never alters a user's table: a missing version column fails the start with the statement to run.
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
                        + (pg ? bytes : "BINARY(32)") + " NOT NULL, version " + versionType()
                        + " NOT NULL, PRIMARY KEY (tbl, row_key))",
                "CREATE TABLE IF NOT EXISTS " + FENCE_APPLIED + " (source_shard VARCHAR(64) NOT NULL, "
                        + "fence_id VARCHAR(64) NOT NULL, topic VARCHAR(249) NOT NULL, part INT NOT NULL, "
                        + "path VARCHAR(255) NOT NULL, applied_at " + (pg ? "TIMESTAMP(3)" : "DATETIME(3)")
                        + " NOT NULL DEFAULT CURRENT_TIMESTAMP(3), " + String.join(", ", fenceTimeColumns())
                        + ", PRIMARY KEY (source_shard, fence_id, topic, part, path))");
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
        return addColumn(table, VERSION_COLUMN);
    }

    private String addColumn(String table, String versionColumn) {
        return "ALTER TABLE " + dialect.quote(table) + " ADD COLUMN " + dialect.quote(versionColumn) + " "
                + versionType() + " NULL";
    }

    private String versionType() {
        return dialect == SqlDialect.POSTGRESQL ? "BYTEA" : "BINARY(" + VersionStamp.BYTES + ")";
    }

    /**
     * Makes sure the control tables exist and each of {@code tables} that exists has the version column.
     * Tables the target lacks are left alone: their changes go to the dead-letter topic when they come.
     *
     * @param patched per table, the columns in-place views patch, each of which needs its patch-version column
     * @param manage whether to add missing version columns; if false, a missing one fails with the DDL to run
     */
    public void prepare(Connection connection, List<String> tables, Map<String, List<String>> patched, boolean manage)
            throws SQLException {
        List<String> missing = new ArrayList<>();
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
                missing.add(addVersionColumn(table));
            }
            for (String column : patched.getOrDefault(table, List.of())) {
                if (!metadata.hasColumn(ControlTables.patchVersionColumn(column))) {
                    missing.add(addColumn(table, ControlTables.patchVersionColumn(column)));
                }
            }
        }
        if (!manage && !missing.isEmpty()) {
            throw new IllegalStateException("target tables lack the version column and manageSchema is off; run: "
                    + String.join("; ", missing));
        }
        List<String> statements = new ArrayList<>(controlTables());
        statements.addAll(missing);
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
                if (sql.startsWith("ALTER")) {
                    log.info("added a version column: {}", sql);
                }
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
