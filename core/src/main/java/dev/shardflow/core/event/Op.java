package dev.shardflow.core.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a change did to its row, with Debezium's one-letter codes. */
public enum Op {
    CREATE("c"),
    UPDATE("u"),
    DELETE("d"),
    /** A row read by a snapshot: it existed when capture started. */
    READ("r"),
    /**
     * Columns of an existing row set from another table's row (a denormalized column kept in place): {@code after}
     * holds only those columns. A patch never creates a row; shardflow makes it, capture never sees one.
     */
    PATCH("p");

    private final String code;

    Op(String code) {
        this.code = code;
    }

    @JsonValue
    public String code() {
        return code;
    }

    @JsonCreator
    public static Op fromCode(String code) {
        for (Op op : values()) {
            if (op.code.equals(code)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown op '" + code + "'; expected c, u, d, r or p");
    }
}
