package dev.shardflow.core.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * How one managed table differs between shards, each difference named with the shards on each side: the table
 * missing on some, a column missing on some, a column's type or NULL differing (types compare across engines: a
 * PostgreSQL {@code timestamp(3)} is a MariaDB {@code DATETIME(3)}), the primary key differing.
 */
public record SchemaComparison(String table, List<Difference> differences) {

    /** What differs. */
    public enum Kind {
        TABLE_MISSING(true), COLUMN_MISSING(true), KEY(true), TYPE(false), NULLABILITY(false);

        private final boolean columns;

        Kind(boolean columns) {
            this.columns = columns;
        }

        /** True if rows of one shard may not fit another's table: a table, a column or the key differs. */
        public boolean columns() {
            return columns;
        }
    }

    /** One difference: its kind, the column (null for the table), and the shards grouped by what they have. */
    public record Difference(Kind kind, String table, String column, Map<String, List<String>> shardsByValue) {
        public Difference {
            Objects.requireNonNull(kind, "kind");
            shardsByValue = Map.copyOf(shardsByValue);
        }

        /** {@code users.note: present on pg1, maria1; missing on pg2}. */
        public String describe() {
            List<String> sides = new ArrayList<>();
            shardsByValue.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> sides.add(e.getKey() + " on " + String.join(", ", e.getValue())));
            return table + (column == null ? "" : "." + column) + ": " + String.join("; ", sides);
        }
    }

    public SchemaComparison {
        Objects.requireNonNull(table, "table");
        differences = List.copyOf(differences);
    }

    /**
     * Compares one table across shards.
     *
     * @param byShard each shard's definition of the table, in shard order; empty where the shard has no such table
     */
    public static SchemaComparison of(String table, Map<String, Optional<TableDefinition>> byShard) {
        List<Difference> differences = new ArrayList<>();
        Map<String, List<String>> presence = group(byShard.keySet(), s -> byShard.get(s).isPresent() ? "present"
                : "missing", String::equals);
        if (presence.size() > 1) {
            differences.add(new Difference(Kind.TABLE_MISSING, table, null, presence));
        }
        Map<String, TableDefinition> present = new LinkedHashMap<>();
        byShard.forEach((shard, definition) -> definition.ifPresent(d -> present.put(shard, d)));
        if (present.isEmpty()) {
            return new SchemaComparison(table, differences);
        }
        Map<String, List<String>> keys = group(present.keySet(), s -> "primary key " + present.get(s).primaryKey(),
                String::equals);
        if (keys.size() > 1) {
            differences.add(new Difference(Kind.KEY, table, null, keys));
        }
        Set<String> columns = new LinkedHashSet<>();
        present.values().forEach(d -> d.columns().forEach(c -> columns.add(c.name())));
        for (String column : columns) {
            Map<String, List<String>> has = group(present.keySet(), s -> present.get(s).column(column).isPresent()
                    ? "present" : "missing", String::equals);
            if (has.size() > 1) {
                differences.add(new Difference(Kind.COLUMN_MISSING, table, column, has));
                continue;
            }
            Map<String, ColumnDefinition> defined = new LinkedHashMap<>();
            present.forEach((shard, d) -> defined.put(shard, d.column(column).orElseThrow()));
            Map<String, List<String>> types = groupBy(defined, c -> c.type().toString(),
                    (a, b) -> a.type().sameAs(b.type()));
            if (types.size() > 1) {
                differences.add(new Difference(Kind.TYPE, table, column, types));
            }
            Map<String, List<String>> nulls = group(defined.keySet(), s -> defined.get(s).nullable() ? "NULL"
                    : "NOT NULL", String::equals);
            if (nulls.size() > 1) {
                differences.add(new Difference(Kind.NULLABILITY, table, column, nulls));
            }
        }
        return new SchemaComparison(table, differences);
    }

    /** The differences that make rows of one shard not fit another's table. */
    public List<Difference> inColumns() {
        return differences.stream().filter(d -> d.kind().columns()).toList();
    }

    private static Map<String, List<String>> group(Set<String> shards, Function<String, String> value,
            BiPredicate<String, String> same) {
        Map<String, String> values = new LinkedHashMap<>();
        shards.forEach(s -> values.put(s, value.apply(s)));
        return groupBy(values, v -> v, same);
    }

    /** The shards grouped by equivalent values, each group named by its first shard's value. */
    private static <T> Map<String, List<String>> groupBy(Map<String, T> byShard, Function<T, String> name,
            BiPredicate<T, T> same) {
        List<T> representatives = new ArrayList<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        byShard.forEach((shard, value) -> {
            T found = representatives.stream().filter(r -> same.test(r, value)).findFirst().orElse(null);
            if (found == null) {
                representatives.add(value);
                found = value;
            }
            groups.computeIfAbsent(name.apply(found), k -> new ArrayList<>()).add(shard);
        });
        return groups;
    }
}
