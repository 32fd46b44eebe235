package dev.shardflow.core.schema;

import java.util.List;
import java.util.Objects;

/**
 * A secondary index of a managed table as a source's catalog lists it: its name, its columns in order, and whether
 * it is unique. An index on expressions or column prefixes is not carried: it has no counterpart that both engines
 * read the same way.
 */
public record IndexDefinition(String name, List<String> columns, boolean unique) {

    public IndexDefinition {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("index " + name + " has no columns");
        }
    }

    /** True if {@code other} serves the same lookups: the same columns in the same order, and unique if this is. */
    public boolean coveredBy(IndexDefinition other) {
        return other.columns.equals(columns) && (other.unique || !unique);
    }

    @Override
    public String toString() {
        return (unique ? "UNIQUE " : "") + "INDEX " + name + " (" + String.join(", ", columns) + ")";
    }
}
