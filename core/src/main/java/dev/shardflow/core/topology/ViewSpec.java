package dev.shardflow.core.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A denormalized view kept across shards: one row per row of {@code from}, joined with the row of {@code joinTable}
 * whose primary key equals the {@code from} row's {@code joinColumn}, with the columns {@code columns} maps (view
 * column to {@code table.column}). Its key is the view columns that map to {@code from}'s primary key.
 *
 * <p>An <em>in-place</em> view has no table of its own: its columns are columns of {@code from}, each kept equal to a
 * column of the joined row on the shard of each {@code from} row — the {@code orders.username} a sharded schema keeps
 * so that it never joins across shards.
 */
public record ViewSpec(String name, String from, String joinTable, String joinColumn, Map<String, String> columns,
        boolean inPlace) {

    public ViewSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(joinTable, "joinTable");
        Objects.requireNonNull(joinColumn, "joinColumn");
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** A view with a table of its own. */
    public ViewSpec(String name, String from, String joinTable, String joinColumn, Map<String, String> columns) {
        this(name, from, joinTable, joinColumn, columns, false);
    }

    /** The view column that holds {@code table.column}, or null. */
    public String columnOf(String table, String column) {
        String source = table + "." + column;
        return columns.entrySet().stream().filter(e -> e.getValue().equals(source)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }
}
