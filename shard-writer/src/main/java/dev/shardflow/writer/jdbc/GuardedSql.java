package dev.shardflow.writer.jdbc;

import static dev.shardflow.core.contract.ControlTables.FENCE_APPLIED;
import static dev.shardflow.core.contract.ControlTables.TOMBSTONE;
import static dev.shardflow.core.contract.ControlTables.VERSION_COLUMN;
import static dev.shardflow.core.contract.ControlTables.patchVersionColumn;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.jdbc.SqlDialect;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements that apply changes to one target table under the version guard, spelled for one dialect. Every
 * row carries its version in {@value ControlTables#VERSION_COLUMN}; an upsert changes a row only when the row has no version yet
 * or an older one, and a delete removes it only under the same condition. Values are always parameters.
 */
public final class GuardedSql {
    /**
     * How a row without a version counts. For a writer it is older than any change: a row left by a move or
     * written before shardflow managed the table. For a replay it is newer: the application wrote it on the shard
     * after the replay began (rows that were there before get the lowest version first).
     */
    public enum Unversioned { OLDER, NEWER }

    private final SqlDialect dialect;
    private final Unversioned unversioned;
    private final String table;
    private final List<String> columns;
    private final List<String> primaryKey;

    /** @param columns the data columns in table order, {@value ControlTables#VERSION_COLUMN} excluded */
    public GuardedSql(SqlDialect dialect, String table, List<String> columns, List<String> primaryKey) {
        this(dialect, Unversioned.OLDER, table, columns, primaryKey);
    }

    public GuardedSql(SqlDialect dialect, Unversioned unversioned, String table, List<String> columns,
            List<String> primaryKey) {
        this.dialect = dialect;
        this.unversioned = unversioned;
        this.table = table;
        this.columns = List.copyOf(columns);
        this.primaryKey = List.copyOf(primaryKey);
    }

    /** Parameters per row of {@link #upsert}: every data column, then the version. */
    public int parametersPerRow() {
        return columns.size() + 1;
    }

    /** A multi-row upsert of {@code rows} rows. */
    public String upsert(int rows) {
        String row = "(" + String.join(", ", Collections.nCopies(parametersPerRow(), "?")) + ")";
        String insert = "INSERT INTO " + q(table) + " (" + columns.stream().map(this::q).collect(Collectors.joining(", "))
                + ", " + q(VERSION_COLUMN) + ") VALUES " + String.join(", ", Collections.nCopies(rows, row));
        List<String> updated = columns.stream().filter(c -> !primaryKey.contains(c)).toList();
        if (dialect == SqlDialect.POSTGRESQL) {
            String set = updated.stream().map(c -> q(c) + " = EXCLUDED." + q(c)).collect(Collectors.joining(", "));
            return insert + " ON CONFLICT (" + primaryKey.stream().map(this::q).collect(Collectors.joining(", "))
                    + ") DO UPDATE SET " + (set.isEmpty() ? "" : set + ", ") + q(VERSION_COLUMN) + " = EXCLUDED."
                    + q(VERSION_COLUMN) + " WHERE " + q(table) + "." + q(VERSION_COLUMN) + nullCounts() + q(table)
                    + "." + q(VERSION_COLUMN) + " < EXCLUDED." + q(VERSION_COLUMN);
        }
        // MariaDB/MySQL assign left to right and later assignments see earlier ones, so the version goes last and
        // every condition reads the row's old version.
        String newer = "(" + q(VERSION_COLUMN) + nullCounts() + q(VERSION_COLUMN) + " < VALUES(" + q(VERSION_COLUMN)
                + "))";
        String set = updated.stream().map(c -> q(c) + " = IF(" + newer + ", VALUES(" + q(c) + "), " + q(c) + ")")
                .collect(Collectors.joining(", "));
        return insert + " ON DUPLICATE KEY UPDATE " + (set.isEmpty() ? "" : set + ", ") + q(VERSION_COLUMN) + " = IF("
                + newer + ", VALUES(" + q(VERSION_COLUMN) + "), " + q(VERSION_COLUMN) + ")";
    }

    /** Deletes one row by primary key if its version is older than the delete's; parameters: key columns, version. */
    public String delete() {
        return "DELETE FROM " + q(table) + " WHERE " + primaryKey.stream().map(c -> q(c) + " = ?")
                .collect(Collectors.joining(" AND ")) + " AND (" + q(VERSION_COLUMN) + nullCounts()
                + q(VERSION_COLUMN) + " < ?)";
    }

    /** The start of the guard, up to the comparison: a missing version lets the change through, or stops it. */
    private String nullCounts() {
        return unversioned == Unversioned.OLDER ? " IS NULL OR " : " IS NOT NULL AND ";
    }

    /** Gives rows without a version the lowest version there is, so that they count as older than any change. */
    public String stampUnversioned() {
        return "UPDATE " + q(table) + " SET " + q(VERSION_COLUMN) + " = ? WHERE " + q(VERSION_COLUMN) + " IS NULL";
    }

    /**
     * Sets {@code patched} columns of one row if their patch versions are no newer than the patch's and a value
     * differs: applied again, a patch changes nothing; an older one leaves a newer alone; one of the same version
     * repairs a value written since. Parameters: per column its value and the version; the key columns; per column
     * the version; per column the value.
     */
    public String patch(List<String> patched) {
        String set = patched.stream().map(c -> q(c) + " = ?, " + q(patchVersionColumn(c)) + " = ?")
                .collect(Collectors.joining(", "));
        String notNewer = patched.stream().map(c -> "(" + q(patchVersionColumn(c)) + " IS NULL OR "
                + q(patchVersionColumn(c)) + " <= ?)").collect(Collectors.joining(" AND "));
        String differs = patched.stream().map(c -> dialect == SqlDialect.POSTGRESQL ? q(c) + " IS DISTINCT FROM ?"
                : "NOT (" + q(c) + " <=> ?)").collect(Collectors.joining(" OR "));
        return "UPDATE " + q(table) + " SET " + set + " WHERE " + primaryKey.stream().map(c -> q(c) + " = ?")
                .collect(Collectors.joining(" AND ")) + " AND " + notNewer + " AND (" + differs + ")";
    }

    /** Records the versions of {@code rows} deleted rows; parameters per row: table, row key, version. */
    public String rememberDeletes(int rows) {
        String values = String.join(", ", Collections.nCopies(rows, "(?, ?, ?)"));
        String insert = "INSERT INTO " + TOMBSTONE + " (tbl, row_key, version) VALUES " + values;
        return dialect == SqlDialect.POSTGRESQL
                ? insert + " ON CONFLICT (tbl, row_key) DO UPDATE SET version = EXCLUDED.version WHERE "
                        + TOMBSTONE + ".version < EXCLUDED.version"
                : insert + " ON DUPLICATE KEY UPDATE version = IF(version < VALUES(version), VALUES(version), version)";
    }

    /** The delete versions of up to {@code keys} rows; parameters: table, then each row key. */
    public static String deletedVersions(int keys) {
        return "SELECT row_key, version FROM " + TOMBSTONE + " WHERE tbl = ? AND row_key IN ("
                + String.join(", ", Collections.nCopies(keys, "?")) + ")";
    }

    /** One row if the tombstone table holds any delete of a table; parameter: table. */
    public static String anyDeleted() {
        return "SELECT 1 FROM " + TOMBSTONE + " WHERE tbl = ? LIMIT 1";
    }

    /**
     * Records one applied copy of a fence marker; parameters: source shard, fence id, topic, partition, path, then its
     * stage times ({@link ControlTables#FENCE_APPLIED_TIMES}).
     */
    public static String rememberFence(SqlDialect dialect) {
        String insert = " INTO " + FENCE_APPLIED + " (source_shard, fence_id, topic, part, path, "
                + String.join(", ", ControlTables.FENCE_APPLIED_TIMES) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        return dialect == SqlDialect.POSTGRESQL ? "INSERT" + insert + " ON CONFLICT DO NOTHING" : "INSERT IGNORE" + insert;
    }

    private String q(String identifier) {
        return dialect.quote(identifier);
    }
}
