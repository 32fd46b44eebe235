package dev.shardflow.jdbc;

import dev.shardflow.core.topology.Engine;

/** How one database family spells identifiers; every identifier a writer puts in SQL goes through it. */
public enum SqlDialect {
    POSTGRESQL('"'),
    MYSQL('`');

    private final char quote;

    SqlDialect(char quote) {
        this.quote = quote;
    }

    public static SqlDialect of(Engine engine) {
        return engine == Engine.POSTGRESQL ? POSTGRESQL : MYSQL;
    }

    /** The identifier quoted, with any quote character inside it doubled. */
    public String quote(String identifier) {
        if (identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + identifier + "' cannot be an SQL identifier");
        }
        String q = String.valueOf(quote);
        return q + identifier.replace(q, q + q) + q;
    }
}
