package dev.shardflow.core.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A PostgreSQL WAL position (LSN), in JSON and logs the way PostgreSQL prints it: {@code 16/B374D848}. */
public record PostgresLsn(@JsonIgnore long value) implements SourcePosition {

    @JsonCreator
    public static PostgresLsn parse(@JsonProperty("lsn") String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an LSN like 16/B374D848");
        }
        long high = Long.parseUnsignedLong(text.substring(0, slash), 16);
        long low = Long.parseUnsignedLong(text.substring(slash + 1), 16);
        return new PostgresLsn((high << 32) | low);
    }

    @JsonProperty("lsn")
    public String text() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }

    @Override
    public int compareTo(SourcePosition other) {
        if (other instanceof PostgresLsn that) {
            return Long.compareUnsigned(value, that.value);
        }
        throw SourcePosition.incomparable(this, other);
    }

    @Override
    public String toString() {
        return "lsn " + text();
    }
}
