package dev.shardflow.core.topology;

import java.util.List;
import java.util.Objects;

/**
 * A table of a keyspace and how its rows are placed: by its own shard-key column, by its parent row (a child table
 * such as {@code order_items} follows {@code orders} through {@code order_id}), or copied whole to every shard (a
 * reference table).
 */
public record TableSpec(String name, List<String> primaryKey, Placement placement, String shardKeyColumn,
        String parentTable, String parentColumn) {

    public enum Placement { SHARD_KEY, PARENT, REFERENCE }

    public TableSpec {
        Objects.requireNonNull(name, "name");
        primaryKey = List.copyOf(primaryKey);
        Objects.requireNonNull(placement, "placement");
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " needs a primary key");
        }
        switch (placement) {
            case SHARD_KEY -> Objects.requireNonNull(shardKeyColumn, "shardKeyColumn");
            case PARENT -> {
                Objects.requireNonNull(parentTable, "parentTable");
                Objects.requireNonNull(parentColumn, "parentColumn");
            }
            case REFERENCE -> { }
        }
    }

    public static TableSpec sharded(String name, List<String> primaryKey, String shardKeyColumn) {
        return new TableSpec(name, primaryKey, Placement.SHARD_KEY, shardKeyColumn, null, null);
    }

    public static TableSpec child(String name, List<String> primaryKey, String parentTable, String parentColumn) {
        return new TableSpec(name, primaryKey, Placement.PARENT, null, parentTable, parentColumn);
    }

    public static TableSpec reference(String name, List<String> primaryKey) {
        return new TableSpec(name, primaryKey, Placement.REFERENCE, null, null, null);
    }
}
