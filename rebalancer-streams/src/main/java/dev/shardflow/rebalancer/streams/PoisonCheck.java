package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.ChangeRouter;
import dev.shardflow.rebalancer.route.Routing;
import java.util.Optional;

/**
 * What makes a change record poison, whatever the ring: larger than the keyspace's largest change, unreadable, not of
 * the keyspace ({@link ChangeRouter#poison}), or a child whose parent row cannot be named. The moves leave such a
 * record and count it; the poison watch dead-letters it, once, when it arrives. One test for both, so that they agree.
 */
final class PoisonCheck {

    /** A record no move can read as a change of the keyspace; the message says why. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private PoisonCheck() {}

    /** Reads a change record, or says why it is poison before any change is read from it. */
    static EnvelopeReader.Envelope read(byte[] value, EnvelopeReader reader, Topology keyspace) throws Unreadable {
        if (value.length > keyspace.maxMessageBytes()) {
            throw new Unreadable("change too large: " + value.length + " bytes, above what a change of keyspace "
                    + keyspace.keyspace() + " may take (" + keyspace.maxMessageBytes() + " bytes, for maxRowBytes "
                    + keyspace.maxRowBytes() + "); raise maxRowBytes in the topology file and restart", null);
        }
        try {
            return reader.read(value);
        } catch (IllegalArgumentException e) {
            throw new Unreadable("cannot read the record: " + e.getMessage(), e);
        }
    }

    /** The key of a child change's parent row, as the parent's change topic is keyed; or why it has none. */
    static byte[] parentKey(ChangeEvent child, Topology keyspace) throws Unreadable {
        TableSpec table = keyspace.table(child.table()).orElse(null);
        if (table == null || table.placement() != TableSpec.Placement.PARENT) {
            throw new Unreadable("table " + child.table() + " is not a child table of keyspace "
                    + keyspace.keyspace(), null);
        }
        try {
            return ParentIndex.parentKey(child, table, keyspace);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(e.getMessage(), e);
        }
    }

    /**
     * Why a record of a change topic is poison under {@code routing} (the topology in force), or empty.
     *
     * @param childTopic whether it came from a child table's change topic, where every change must name its parent
     */
    static Optional<String> problem(byte[] value, EnvelopeReader reader, Topology keyspace, Routing routing,
            boolean childTopic) {
        try {
            ChangeEvent change = read(value, reader, keyspace).event();
            Optional<String> poison = ChangeRouter.poison(change, routing);
            if (poison.isPresent() || change.isMarker() || !childTopic) {
                return poison;
            }
            parentKey(change, keyspace);
            return Optional.empty();
        } catch (Unreadable e) {
            return Optional.of(e.getMessage());
        }
    }
}
