package dev.shardflow.writer.apply;

import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeCheck;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.Topology;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Optional;

/**
 * A change ready to apply: the event, its version as the bytes the target compares ({@link VersionStamp#rowVersion}), and its row key, the
 * SHA-256 of the canonical encoding of its primary key, which identifies the row in the tombstone table.
 */
public record Change(ChangeEvent event, byte[] version, byte[] rowKey, Origin origin) {

    public Change {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(rowKey, "rowKey");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * Reads a record of an apply topic of a keyspace.
     *
     * @throws IllegalArgumentException if it is not a change event, or its position cannot be ordered
     * @throws Foreign if it is one, but not of this keyspace ({@link EnvelopeCheck#problemOfRow})
     */
    public static Change decode(Origin origin, Topology keyspace) {
        if (origin.value() == null) {
            throw new IllegalArgumentException("the record has no value; a change event was expected");
        }
        ChangeEvent event = EventJson.fromBytes(origin.value());
        Optional<String> foreign = EnvelopeCheck.problemOfRow(event, keyspace);
        if (foreign.isPresent()) {
            throw new Foreign(event, foreign.get());
        }
        return new Change(event, VersionStamp.rowVersion(event), rowKey(event), origin);
    }

    /** A change event that does not belong to the keyspace it was read for; it is never applied. */
    public static final class Foreign extends IllegalArgumentException {
        private final transient ChangeEvent event;

        Foreign(ChangeEvent event, String reason) {
            super(reason);
            this.event = event;
        }

        public ChangeEvent event() {
            return event;
        }
    }

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    public static byte[] rowKey(ChangeEvent event) {
        return sha256(CanonicalRow.encode(event.key()));
    }

    static byte[] sha256(byte[] bytes) {
        return SHA_256.get().digest(bytes);
    }

    /**
     * What this change is about, comparable across changes: its table and row key, and for a patch the columns it
     * sets, since a patch and a change of the whole row are versioned apart.
     */
    public RowId rowId() {
        return new RowId(event.table(), ByteBuffer.wrap(rowKey),
                isPatch() ? String.join(",", new java.util.TreeSet<>(event.after().keySet())) : "");
    }

    public boolean isPatch() {
        return event.isPatch();
    }

    public boolean isDelete() {
        return event.row() == null;
    }

    /** True if this change is newer than {@code other} (a later version of the same row). */
    public boolean newerThan(Change other) {
        return java.util.Arrays.compareUnsigned(version, other.version) > 0;
    }

    /** @param patched the columns a patch sets, sorted and comma-separated; empty for a change of the whole row */
    public record RowId(String table, ByteBuffer key, String patched) {}
}
