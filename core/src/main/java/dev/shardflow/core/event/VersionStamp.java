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
 *
 * <p>A view row joins two rows, so its version is two stamps ({@link #rowVersion}): its {@code from} row's, then the
 * joined row's. Every change of either row makes it newer — a stamp of the newer row alone would not: an order and
 * its user changed in one transaction give two view rows of the same newer stamp, and the second (the right one)
 * would be refused.
 */
public record VersionStamp(long epoch, SourcePosition position) implements Comparable<VersionStamp> {
    public static final int BYTES = 24;
    /** The length of a view row's version: two stamps. */
    public static final int VIEW_BYTES = 2 * BYTES;

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

    /**
     * The bytes a target row records as the version of {@code event}: its stamp ({@value #BYTES} bytes), or for a view
     * change its {@code from} row's stamp followed by its joined row's ({@value #VIEW_BYTES} bytes). Unsigned
     * lexicographic order is the version order in both.
     */
    public static byte[] rowVersion(ChangeEvent event) {
        byte[] own = of(event).toBytes();
        if (event.joined() == null) {
            return own;
        }
        byte[] joined = new VersionStamp(event.joined().epoch(), event.joined().source().position()).toBytes();
        return ByteBuffer.allocate(VIEW_BYTES).put(own).put(joined).array();
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
