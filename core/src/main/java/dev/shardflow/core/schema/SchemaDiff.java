package dev.shardflow.core.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How one table's definition changed between two points of one source's log, change by change, each either
 * <em>additive</em> — safe to make on a target while rows flow, since every row of either definition still fits — or
 * not. Additive: a column added that takes NULL or has a default; a type widened (a longer text, a larger integer, a
 * decimal with more digits); NOT NULL dropped. Not additive: a column gone (dropped, or renamed, which a log of rows
 * shows as one column gone and one added), a type narrowed or changed to another kind, NOT NULL added, a column
 * added NOT NULL without a default, the primary key changed.
 */
public record SchemaDiff(String table, List<Change> changes) {

    /** What happened to one column, or to the key. */
    public enum Kind {
        ADDED(true), WIDENED(true), NULL_ALLOWED(true),
        ADDED_REQUIRED(false), DROPPED(false), NARROWED(false), NULL_REFUSED(false), KEY_CHANGED(false);

        private final boolean additive;

        Kind(boolean additive) {
            this.additive = additive;
        }

        public boolean additive() {
            return additive;
        }
    }

    /**
     * One change: its kind, the column (null for the key), the column before (null if added) and after (null if gone).
     */
    public record Change(Kind kind, String column, ColumnDefinition before, ColumnDefinition after) {
        public Change {
            Objects.requireNonNull(kind, "kind");
        }

        public boolean additive() {
            return kind.additive();
        }

        /** The change as an operator reads it: {@code column note added: note VARCHAR(200) NULL}. */
        public String describe() {
            return switch (kind) {
                case ADDED -> "column " + column + " added: " + after;
                case ADDED_REQUIRED -> "column " + column + " added NOT NULL without a default: " + after;
                case WIDENED -> "column " + column + " widened from " + before.type() + " to " + after.type();
                case NULL_ALLOWED -> "column " + column + " takes NULL";
                case DROPPED -> "column " + column + " dropped or renamed";
                case NARROWED -> "column " + column + " changed from " + before.type() + " to " + after.type()
                        + ", which does not hold every value it held";
                case NULL_REFUSED -> "column " + column + " made NOT NULL";
                case KEY_CHANGED -> "primary key changed";
            };
        }
    }

    public SchemaDiff {
        Objects.requireNonNull(table, "table");
        changes = List.copyOf(changes);
    }

    /** The changes from {@code before} to {@code after}, two definitions of the same table from the same source. */
    public static SchemaDiff between(TableDefinition before, TableDefinition after) {
        List<Change> changes = new ArrayList<>();
        for (ColumnDefinition old : before.columns()) {
            Optional<ColumnDefinition> now = after.column(old.name());
            if (now.isEmpty()) {
                changes.add(new Change(Kind.DROPPED, old.name(), old, null));
                continue;
            }
            ColumnDefinition column = now.get();
            if (!column.type().sameAs(old.type())) {
                changes.add(new Change(column.type().holds(old.type()) ? Kind.WIDENED : Kind.NARROWED, old.name(), old,
                        column));
            }
            if (column.nullable() != old.nullable()) {
                changes.add(new Change(column.nullable() ? Kind.NULL_ALLOWED : Kind.NULL_REFUSED, old.name(), old,
                        column));
            }
        }
        for (ColumnDefinition column : after.columns()) {
            if (before.column(column.name()).isEmpty()) {
                changes.add(new Change(column.optional() ? Kind.ADDED : Kind.ADDED_REQUIRED, column.name(), null,
                        column));
            }
        }
        if (!before.primaryKey().equals(after.primaryKey())) {
            changes.add(new Change(Kind.KEY_CHANGED, null, null, null));
        }
        return new SchemaDiff(after.table(), changes);
    }

    /**
     * The columns a source's table has and a target's lacks, as additions: what a target must get before the source's
     * rows fit it, when nothing is known of how the source's table came to be as it is.
     */
    public static SchemaDiff missing(TableDefinition source, TableDefinition target) {
        List<Change> changes = new ArrayList<>();
        for (ColumnDefinition column : source.columns()) {
            if (target.column(column.name()).isEmpty()) {
                changes.add(new Change(column.optional() ? Kind.ADDED : Kind.ADDED_REQUIRED, column.name(), null,
                        column));
            }
        }
        return new SchemaDiff(source.table(), changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** True if every change is additive. */
    public boolean additive() {
        return changes.stream().allMatch(Change::additive);
    }

    /** The changes that are not additive. */
    public List<Change> unsafe() {
        return changes.stream().filter(c -> !c.additive()).toList();
    }

    /** Every change, as an operator reads it, separated by semicolons. */
    public String describe() {
        return changes.stream().map(Change::describe).collect(Collectors.joining("; "));
    }
}
