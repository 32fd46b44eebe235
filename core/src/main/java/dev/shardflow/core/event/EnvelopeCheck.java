package dev.shardflow.core.event;

import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one check every reader of change events runs before it takes an event as the truth about a row — the
 * rebalancer, the views, the writers and replay — so that a record that does not belong (written to the topic by
 * hand, by another keyspace's capture, or garbled) goes to the dead-letter topic with its reason instead of being
 * applied, routed by a value it does not hold, or dropped without a word. An event passes when:
 *
 * <ul>
 *   <li>its keyspace is the topology's, and its source shard is declared in the topology;
 *   <li>its table is one of the keyspace's tables or views (a marker — a fence, a schema event — is always one);
 *   <li>its key names exactly the table's primary-key columns, none of them null, and agrees with the image;
 *   <li>for a table placed by its own shard key, {@code shardKey} equals that column in the row's image.
 * </ul>
 *
 * The shape of an event (an op and the images it needs) is checked when the event is read ({@link ChangeEvent}).
 */
public final class EnvelopeCheck {

    private EnvelopeCheck() {}

    /** Why the event does not belong to this topology, or empty when it does. */
    public static Optional<String> problem(ChangeEvent event, Topology topology) {
        return problem(event, topology, null);
    }

    /**
     * Why the event does not belong to the keyspace, leaving out whether its source shard is declared: for a reader
     * that holds the topology it started with rather than the one in force (a writer), where a shard declared since
     * is a real source. What reaches it was routed by a reader that checked the source against the topology in force.
     */
    public static Optional<String> problemOfRow(ChangeEvent event, Topology topology) {
        return check(event, topology, null, false);
    }

    /**
     * Why the event does not belong to the topology in force, or empty; during a rebalance a shard declared in
     * either topology is a known source.
     *
     * @param other the other topology of a running rebalance, or null
     */
    public static Optional<String> problem(ChangeEvent event, Topology topology, Topology other) {
        return check(event, topology, other, true);
    }

    private static Optional<String> check(ChangeEvent event, Topology topology, Topology other, boolean sources) {
        // runs for every change the rebalancer routes: nothing is built unless the event fails
        if (!topology.keyspace().equals(event.keyspace())) {
            return Optional.of(where(event) + ": the event names keyspace '" + event.keyspace()
                    + "', but this topic holds keyspace '" + topology.keyspace()
                    + "'; it was written to the wrong topic");
        }
        if (sources && !declared(event.source().shard(), topology, other)) {
            return Optional.of(where(event) + ": source shard '" + event.source().shard()
                    + "' is not declared in keyspace " + topology.keyspace() + " " + shardIds(topology, other)
                    + "; declare it or stop capturing it");
        }
        if (event.isMarker()) {
            return Optional.empty();
        }
        Optional<TableSpec> spec = topology.table(event.table());
        if (spec.isEmpty() && topology.views().stream().anyMatch(v -> v.name().equals(event.table()))) {
            // a view's row: keyed by its own columns, placed by the shard key of the row it was made from
            return event.key().values().stream().anyMatch(Objects::isNull)
                    ? Optional.of(where(event) + ": a key column of view " + event.table() + " is null")
                    : Optional.empty();
        }
        if (spec.isEmpty()) {
            return Optional.of(where(event) + ": table " + event.table() + " is not in keyspace "
                    + topology.keyspace() + "; add it to the topology or stop capturing it");
        }
        TableSpec table = spec.get();
        Map<String, Object> key = event.key();
        if (key.size() != table.primaryKey().size() || !key.keySet().containsAll(table.primaryKey())) {
            return Optional.of(where(event) + ": the key names columns " + key.keySet() + ", but the primary key "
                    + "of " + table.name() + " is " + table.primaryKey());
        }
        Map<String, Object> image = event.after() != null ? event.after() : event.before();
        for (String column : table.primaryKey()) {
            Object value = key.get(column);
            if (value == null) {
                return Optional.of(where(event) + ": primary-key column " + column + " is null");
            }
            if (image != null && image.containsKey(column) && !same(value, image.get(column))) {
                return Optional.of(where(event) + ": the key says " + column + " = " + value + ", the row says "
                        + image.get(column));
            }
        }
        if (table.placement() == TableSpec.Placement.SHARD_KEY && image != null && !event.isPatch()) {
            String column = table.shardKeyColumn();
            if (!image.containsKey(column) || !same(event.shardKey(), image.get(column))) {
                return Optional.of(where(event) + ": shardKey is " + event.shardKey() + ", but the row's " + column
                        + " is " + (image.containsKey(column) ? image.get(column) : "missing")
                        + "; the event would be placed by a value the row does not hold");
            }
        }
        return Optional.empty();
    }

    private static String where(ChangeEvent event) {
        return event.table() + " " + event.key() + " from shard " + event.source().shard();
    }

    private static boolean declared(String shard, Topology topology, Topology other) {
        return topology.shard(shard).isPresent() || (other != null && other.shard(shard).isPresent());
    }

    private static Set<String> shardIds(Topology topology, Topology other) {
        Set<String> ids = new TreeSet<>();
        topology.shards().stream().map(ShardSpec::id).forEach(ids::add);
        if (other != null) {
            other.shards().stream().map(ShardSpec::id).forEach(ids::add);
        }
        return ids;
    }

    /** Equal as the canonical encoding sees them: 5, 5.0 and "5.00" as a decimal are one value. */
    private static boolean same(Object a, Object b) {
        return Objects.equals(a, b) || Objects.equals(CanonicalRow.text(a), CanonicalRow.text(b));
    }
}
