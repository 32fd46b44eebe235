package dev.shardflow.core.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where in one source shard's log a change was read. Positions of the same source compare in log order; positions
 * of different kinds (or, for GTIDs, different domains) do not compare, because no order exists between them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PostgresLsn.class, name = "pg_lsn"),
    @JsonSubTypes.Type(value = BinlogPosition.class, name = "binlog"),
    @JsonSubTypes.Type(value = MariaDbGtid.class, name = "mariadb_gtid")
})
public sealed interface SourcePosition extends Comparable<SourcePosition>
        permits PostgresLsn, BinlogPosition, MariaDbGtid {

    /** True when this position is strictly after {@code other} in the same source's log. */
    default boolean isAfter(SourcePosition other) {
        return compareTo(other) > 0;
    }

    static IllegalArgumentException incomparable(SourcePosition a, SourcePosition b) {
        return new IllegalArgumentException("positions " + a + " and " + b
                + " are not from the same log and cannot be ordered");
    }
}
