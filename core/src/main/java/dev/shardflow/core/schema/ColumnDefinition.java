package dev.shardflow.core.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One column of a table as its source database defines it: name, type, whether it takes NULL, and its default
 * ({@code defaultValue}, a literal in its canonical JSON form, when {@code hasDefault}; an expression default such as
 * {@code now()} is not carried).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ColumnDefinition(String name, ColumnType type, boolean nullable, boolean hasDefault,
        Object defaultValue) {

    public ColumnDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!hasDefault && defaultValue != null) {
            throw new IllegalArgumentException(name + ": a default value without hasDefault");
        }
    }

    /** A column without a default. */
    public static ColumnDefinition of(String name, ColumnType type, boolean nullable) {
        return new ColumnDefinition(name, type, nullable, false, null);
    }

    /** True if a row that does not name this column can still be written: it takes NULL or has a default. */
    public boolean optional() {
        return nullable || hasDefault;
    }

    @Override
    public String toString() {
        return name + " " + type + (nullable ? " NULL" : " NOT NULL")
                + (hasDefault ? " DEFAULT " + (defaultValue == null ? "NULL" : defaultValue) : "");
    }
}
