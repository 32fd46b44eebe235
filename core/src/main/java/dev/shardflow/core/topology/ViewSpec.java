package dev.shardflow.core.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A denormalized view kept across shards: one row per row of {@code from}, joined with the row of {@code joinTable}
 * whose primary key equals the {@code from} row's {@code joinColumn}, with the columns {@code columns} maps (view
 * column to {@code table.column}). Its key is the view columns that map to {@code from}'s primary key.
 */
public record ViewSpec(String name, String from, String joinTable, String joinColumn, Map<String, String> columns) {

    public ViewSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(joinTable, "joinTable");
        Objects.requireNonNull(joinColumn, "joinColumn");
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** The view column that holds {@code table.column}, or null. */
    public String columnOf(String table, String column) {
        String source = table + "." + column;
        return columns.entrySet().stream().filter(e -> e.getValue().equals(source)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }
}
