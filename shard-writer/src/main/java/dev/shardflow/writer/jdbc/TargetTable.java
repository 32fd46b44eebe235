package dev.shardflow.writer.jdbc;

import static dev.shardflow.core.contract.ControlTables.OWN_COLUMN_PREFIX;
import static dev.shardflow.core.contract.ControlTables.VERSION_COLUMN;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.jdbc.ColumnValue;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.jdbc.TableMetadata;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One target table as a writer applies to it: its data columns with their conversions, its primary key, and its
 * guarded statements. Built from the table's metadata as the database reports it.
 */
public final class TargetTable {
    private final String name;
    private final List<ColumnValue> columns;
    private final List<ColumnValue> keyColumns;
    private final Set<String> columnNames;
    private final Set<String> ownColumns;
    private final GuardedSql sql;

    private TargetTable(String name, List<ColumnValue> columns, List<ColumnValue> keyColumns, Set<String> ownColumns,
            GuardedSql sql) {
        this.name = name;
        this.columns = columns;
        this.keyColumns = keyColumns;
        this.columnNames = columns.stream().map(c -> c.column().name()).collect(Collectors.toSet());
        this.ownColumns = ownColumns;
        this.sql = sql;
    }

    /**
     * @throws IllegalArgumentException if the table has no {@value GuardedSql#VERSION_COLUMN} column
     */
    public static TargetTable of(SqlDialect dialect, TableMetadata metadata) {
        return of(dialect, metadata, GuardedSql.Unversioned.OLDER);
    }

    /** @param unversioned how a row without a version counts against a change (see {@link GuardedSql.Unversioned}) */
    public static TargetTable of(SqlDialect dialect, TableMetadata metadata, GuardedSql.Unversioned unversioned) {
        if (!metadata.hasColumn(VERSION_COLUMN)) {
            throw new IllegalArgumentException("table " + metadata.table() + " has no " + VERSION_COLUMN
                    + " column; start the writer with manageSchema on, or add it");
        }
        List<ColumnValue> columns = metadata.columns().stream().filter(c -> !c.name().startsWith(OWN_COLUMN_PREFIX))
                .map(c -> ColumnValue.of(dialect, c)).toList();
        Set<String> own = metadata.columns().stream().map(TableMetadata.Column::name)
                .filter(c -> c.startsWith(OWN_COLUMN_PREFIX)).collect(Collectors.toSet());
        List<ColumnValue> keys = metadata.primaryKey().stream()
                .map(k -> columns.stream().filter(c -> c.column().name().equals(k)).findFirst().orElseThrow())
                .toList();
        return new TargetTable(metadata.table(), columns, keys, own, new GuardedSql(dialect, unversioned, metadata.table(),
                columns.stream().map(c -> c.column().name()).toList(), metadata.primaryKey()));
    }

    /**
     * Orders primary keys as the table's index does for the common key types (numbers, text), so that a batch
     * written in this order fills index pages in sequence instead of at random.
     */
    public int compareKeys(Map<String, Object> a, Map<String, Object> b) {
        for (ColumnValue column : keyColumns) {
            Object x = a.get(column.column().name());
            Object y = b.get(column.column().name());
            int c = x instanceof Long l && y instanceof Long m ? Long.compare(l, m)
                    : x instanceof Number n && y instanceof Number o ? new java.math.BigDecimal(n.toString())
                            .compareTo(new java.math.BigDecimal(o.toString()))
                    : String.valueOf(x).compareTo(String.valueOf(y));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    public String name() {
        return name;
    }

    /** The data columns in the order of {@link #upsertValues}, shardflow's own columns left out. */
    public List<TableMetadata.Column> dataColumns() {
        return columns.stream().map(ColumnValue::column).toList();
    }

    public GuardedSql sql() {
        return sql;
    }

    /**
     * The upsert parameters of a row image: every data column converted (a column the image lacks is null), then
     * the version.
     *
     * @throws IllegalArgumentException if the image has a column the table lacks or a value that does not convert
     */
    public Object[] upsertValues(Map<String, Object> row, byte[] version) {
        for (String column : row.keySet()) {
            if (!columnNames.contains(column) && !column.startsWith(OWN_COLUMN_PREFIX)) {
                throw new IllegalArgumentException("column " + column + " does not exist in target table " + name);
            }
        }
        Object[] values = new Object[columns.size() + 1];
        for (int i = 0; i < columns.size(); i++) {
            ColumnValue column = columns.get(i);
            values[i] = column.convert(row.get(column.column().name()));
        }
        values[columns.size()] = version;
        return values;
    }

    /**
     * The delete parameters of a primary key: each key column converted, then the version.
     *
     * @throws IllegalArgumentException if a key column is missing or does not convert
     */
    public Object[] deleteValues(Map<String, Object> key, byte[] version) {
        Object[] values = new Object[keyColumns.size() + 1];
        for (int i = 0; i < keyColumns.size(); i++) {
            ColumnValue column = keyColumns.get(i);
            Object value = key.get(column.column().name());
            if (value == null) {
                throw new IllegalArgumentException("the key has no value for primary-key column "
                        + column.column().name() + " of " + name);
            }
            values[i] = column.convert(value);
        }
        values[keyColumns.size()] = version;
        return values;
    }

    /**
     * The parameters of {@link GuardedSql#patch} for a patch setting {@code set} on the row {@code key}.
     *
     * @throws IllegalArgumentException if a patched column or its patch-version column is missing, a key column is
     *     missing, or a value does not convert
     */
    public Object[] patchValues(Map<String, Object> set, Map<String, Object> key, byte[] version) {
        List<ColumnValue> patched = patchedColumns(set.keySet());
        Object[] keyValues = deleteValues(key, version);
        List<Object> values = new ArrayList<>();
        for (ColumnValue column : patched) {
            values.add(column.convert(set.get(column.column().name())));
        }
        values.addAll(List.of(keyValues).subList(0, keyColumns.size()));
        values.add(version);
        return values.toArray();
    }

    /** The columns a patch sets, in the order of {@link #patchValues}: sorted by name. */
    public List<String> patchedColumnNames(Set<String> set) {
        return set.stream().sorted().toList();
    }

    private List<ColumnValue> patchedColumns(Set<String> set) {
        List<ColumnValue> patched = new ArrayList<>();
        for (String name : patchedColumnNames(set)) {
            ColumnValue column = columns.stream().filter(c -> c.column().name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("column " + name + " does not exist in target "
                            + "table " + this.name));
            if (keyColumns.contains(column)) {
                throw new IllegalArgumentException("a patch cannot set " + name + ", a primary-key column of " + this.name);
            }
            if (!ownColumns.contains(ControlTables.patchVersionColumn(name))) {
                throw new IllegalArgumentException("table " + this.name + " has no " + ControlTables.patchVersionColumn(name)
                        + " column for the patches of " + name + "; start the writer with manageSchema on, or add it");
            }
            patched.add(column);
        }
        return patched;
    }

    /** Binds {@link #patchValues} of a patch setting {@code patched} (as {@link #patchedColumnNames} orders them). */
    public void bindPatch(PreparedStatement statement, List<String> patched, Object[] values) throws SQLException {
        List<ColumnValue> set = patchedColumns(Set.copyOf(patched));
        byte[] version = (byte[]) values[values.length - 1];
        int p = 1;
        for (int i = 0; i < set.size(); i++) {
            set.get(i).bind(statement, p++, values[i]);
            statement.setBytes(p++, version);
        }
        for (int i = 0; i < keyColumns.size(); i++) {
            keyColumns.get(i).bind(statement, p++, values[set.size() + i]);
        }
        for (int i = 0; i < set.size(); i++) {
            statement.setBytes(p++, version);
        }
        for (int i = 0; i < set.size(); i++) {
            set.get(i).bind(statement, p++, values[i]);
        }
    }

    /** Binds one row of {@link #upsertValues} into a multi-row upsert, starting after {@code offset} parameters. */
    public void bindUpsert(PreparedStatement statement, int offset, Object[] values) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            columns.get(i).bind(statement, offset + i + 1, values[i]);
        }
        statement.setBytes(offset + columns.size() + 1, (byte[]) values[columns.size()]);
    }

    public void bindDelete(PreparedStatement statement, Object[] values) throws SQLException {
        for (int i = 0; i < keyColumns.size(); i++) {
            keyColumns.get(i).bind(statement, i + 1, values[i]);
        }
        statement.setBytes(keyColumns.size() + 1, (byte[]) values[keyColumns.size()]);
    }
}
