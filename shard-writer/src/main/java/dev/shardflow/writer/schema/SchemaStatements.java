package dev.shardflow.writer.schema;

import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.ColumnType;
import dev.shardflow.core.schema.IndexDefinition;
import dev.shardflow.core.schema.SchemaDiff;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.CatalogTable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DDL that makes a target's table take an additive change of a source's: a column added, a type widened, NOT
 * NULL dropped — in the target's engine and types, whichever engine the source runs. A change the target already
 * fits (a column there, a type that already holds the new one) gives no statement, so that the copies of one change
 * that reach a target by many paths, and the same change from several sources, make it once.
 */
final class SchemaStatements {
    private final Engine engine;

    SchemaStatements(Engine engine) {
        this.engine = engine;
    }

    /**
     * The statements for the additive changes of {@code diff} that {@code target} does not have yet.
     *
     * @throws Unfit when a change cannot be made on this target (a type with no counterpart, a column whose type
     *     there is of another kind), with the reason
     */
    List<String> statements(SchemaDiff diff, Engine source, CatalogTable target) {
        List<String> statements = new ArrayList<>();
        String table = quote(diff.table());
        for (SchemaDiff.Change change : diff.changes()) {
            if (!change.additive()) {
                continue;
            }
            ColumnDefinition wanted = change.after();
            Optional<ColumnDefinition> present = target.column(change.column());
            switch (change.kind()) {
                case ADDED -> {
                    if (present.isEmpty()) {
                        statements.add("ALTER TABLE " + table + " ADD COLUMN " + quote(wanted.name()) + " "
                                + type(wanted.type(), source) + (wanted.nullable() ? " NULL" : " NOT NULL")
                                + (wanted.hasDefault() ? " DEFAULT " + literal(wanted.defaultValue()) : ""));
                    }
                }
                case WIDENED -> {
                    if (present.isEmpty()) {
                        throw new Unfit("column " + change.column() + " of " + diff.table() + " was widened on the "
                                + "source, and the target has no such column");
                    }
                    ColumnType now = present.get().type();
                    if (!now.holds(wanted.type())) {
                        if (now.kind() != wanted.type().kind()) {
                            throw new Unfit("column " + change.column() + " of " + diff.table() + " was widened on the "
                                    + "source to " + wanted.type() + ", but on the target it is " + now
                                    + ", of another kind");
                        }
                        statements.add(retype(table, present.get(), type(wanted.type(), source), target));
                    }
                }
                case NULL_ALLOWED -> {
                    if (present.isPresent() && !present.get().nullable()) {
                        statements.add(engine == Engine.POSTGRESQL
                                ? "ALTER TABLE " + table + " ALTER COLUMN " + quote(change.column()) + " DROP NOT NULL"
                                : "ALTER TABLE " + table + " MODIFY COLUMN " + quote(change.column()) + " "
                                        + present.get().type().sql(engine, engine) + " NULL"
                                        + defaultClause(target, change.column()));
                    }
                }
                default -> throw new IllegalStateException("not an additive change: " + change.kind());
            }
        }
        return statements;
    }

    /**
     * The statement that makes {@code index} on {@code table}; {@code online}: without blocking the table's writes
     * (PostgreSQL {@code CONCURRENTLY}, MariaDB/MySQL {@code ALGORITHM=INPLACE, LOCK=NONE}).
     */
    String createIndex(String table, IndexDefinition index, boolean online) {
        String columns = String.join(", ", index.columns().stream().map(this::quote).toList());
        String unique = index.unique() ? "UNIQUE " : "";
        if (engine == Engine.POSTGRESQL) {
            return "CREATE " + unique + "INDEX " + (online ? "CONCURRENTLY " : "") + quote(index.name()) + " ON "
                    + quote(table) + " (" + columns + ")";
        }
        return "ALTER TABLE " + quote(table) + " ADD " + unique + "INDEX " + quote(index.name()) + " (" + columns + ")"
                + (online ? ", ALGORITHM=INPLACE, LOCK=NONE" : "");
    }

    /** A change the target cannot take as shardflow would make it; the move holds with the reason. */
    static final class Unfit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unfit(String reason) {
            super(reason);
        }
    }

    private String retype(String table, ColumnDefinition column, String type, CatalogTable target) {
        if (engine == Engine.POSTGRESQL) {
            return "ALTER TABLE " + table + " ALTER COLUMN " + quote(column.name()) + " TYPE " + type;
        }
        // MODIFY restates the whole column: what it does not say (NOT NULL, the default) it drops
        return "ALTER TABLE " + table + " MODIFY COLUMN " + quote(column.name()) + " " + type
                + (column.nullable() ? " NULL" : " NOT NULL") + defaultClause(target, column.name());
    }

    private String defaultClause(CatalogTable target, String column) {
        String current = target.defaults().get(column);
        return current == null ? "" : " DEFAULT " + current;
    }

    private String type(ColumnType type, Engine source) {
        try {
            return type.sql(engine, source);
        } catch (IllegalArgumentException e) {
            throw new Unfit(e.getMessage());
        }
    }

    String quote(String identifier) {
        String q = engine == Engine.POSTGRESQL ? "\"" : "`";
        return q + identifier.replace(q, q + q) + q;
    }

    /** A default's canonical value as an SQL literal both engines read. */
    static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        if (value instanceof Number n) {
            return n instanceof BigDecimal d ? d.toPlainString() : n.toString();
        }
        return "'" + value.toString().replace("'", "''") + "'";
    }
}
