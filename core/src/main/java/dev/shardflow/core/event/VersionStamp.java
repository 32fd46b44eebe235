package dev.shardflow.core.event;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The version of a change as the target shards compare it: first the ownership epoch it was routed under, then its
 * position in its source shard's log. Within an epoch a key has one owner, so positions of one log decide; a change
 * of a later epoch is newer than every change of an earlier one.
 *
 * <p>{@link #toBytes()} encodes it in 24 bytes whose unsigned lexicographic order is the version order, so a
 * database can compare versions as binary strings ({@code bytea} in PostgreSQL, {@code BINARY(24)} in MariaDB and
 * MySQL): 8 bytes epoch, then 16 bytes position (a PostgreSQL LSN in the last 8; a binlog file number, offset and
 * row as 4 + 8 + 4). A MariaDB GTID is not a byte-comparable position; binlog coordinates are used instead.
 */
public record VersionStamp(long epoch, SourcePosition position) implements Comparable<VersionStamp> {
    public static final int BYTES = 24;

    public VersionStamp {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
        Objects.requireNonNull(position, "position");
        if (position instanceof MariaDbGtid) {
            throw new IllegalArgumentException("a GTID does not order as bytes; stamp changes with binlog coordinates");
        }
    }

    public static VersionStamp of(ChangeEvent event) {
        return new VersionStamp(event.epoch(), event.source().position());
    }

    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(BYTES);
        buffer.putLong(epoch);
        if (position instanceof PostgresLsn lsn) {
            buffer.putLong(0).putLong(lsn.value());
        } else if (position instanceof BinlogPosition binlog) {
            buffer.putInt((int) binlog.fileNumber()).putLong(binlog.pos()).putInt(binlog.row());
        }
        return buffer.array();
    }

    /** Versions of different epochs compare by epoch; within one epoch, by position in the (one) owner's log. */
    @Override
    public int compareTo(VersionStamp other) {
        int c = Long.compare(epoch, other.epoch);
        return c != 0 ? c : Arrays.compareUnsigned(toBytes(), other.toBytes());
    }
}
