package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What a child row needs to find its owner: per parent row (source shard and primary key) the parent's shard key,
 * in the store {@value RekeyTopology#PARENTS_STORE}; and the children that arrived before their parent, held in
 * {@value RekeyTopology#HELD_STORE} until it comes. Both stores are keyed by the parent's change-topic key, which is
 * also how children are repartitioned, so a parent and its children meet in one task.
 *
 * <p>A held child is stored under its parent's key, a separator and what tells it apart; the parent's key alone marks
 * that at least one child waits. A parent row looks that mark up — one point read — and scans for its children only
 * when it is there: most parents (every order during a copy) have none waiting, and a prefix scan per row was most of
 * the copy's cost.
 */
final class ParentIndex {
    private static final byte SEPARATOR = 0; // never part of a JSON key
    private static final byte[] WAITING = {1};

    /** A child held for its parent: its change as read, and its key. */
    record Held(EnvelopeReader.Envelope read, byte[] key) {}

    private final KeyValueStore<Bytes, byte[]> parents;
    private final KeyValueStore<Bytes, byte[]> held;
    private final Set<String> parentTables;
    private final EnvelopeReader reader;

    /** @param reader how its processor reads changes, for the held children it releases */
    ParentIndex(ProcessorContext<?, ?> context, Topology topology, EnvelopeReader reader) {
        this.parents = context.getStateStore(RekeyTopology.PARENTS_STORE);
        this.held = context.getStateStore(RekeyTopology.HELD_STORE);
        this.parentTables = topology.tables().stream().filter(t -> t.placement() == TableSpec.Placement.PARENT)
                .map(TableSpec::parentTable).collect(Collectors.toSet());
        this.reader = reader;
    }

    boolean isParent(String table) {
        return parentTables.contains(table);
    }

    /**
     * The key of a child's parent row as the parent's change topic is keyed.
     *
     * @throws IllegalArgumentException if the child row has no value in its parent column
     */
    static byte[] parentKey(ChangeEvent child, TableSpec childTable, Topology topology) {
        Map<String, Object> row = child.after() != null ? child.after() : child.before();
        Object parentId = row == null ? null : row.get(childTable.parentColumn());
        if (parentId == null) {
            throw new IllegalArgumentException(child.table() + " " + child.key() + ": the parent column "
                    + childTable.parentColumn() + " is null, so the row has no owner");
        }
        TableSpec parent = topology.table(childTable.parentTable()).orElseThrow(() -> new IllegalArgumentException(
                "parent table " + childTable.parentTable() + " of " + child.table() + " is not in the keyspace"));
        return new SourceRowKey(child.source().shard(), Map.of(parent.primaryKey().get(0), parentId)).toBytes();
    }

    /** Records a parent row's shard key and returns the children that waited for it, no longer held. */
    List<Held> remember(ChangeEvent parent) {
        byte[] key = SourceRowKey.of(parent).toBytes();
        parents.put(Bytes.wrap(key), json(parent.shardKey()));
        if (held.get(Bytes.wrap(key)) == null) {
            return List.of();
        }
        List<Held> released = new ArrayList<>();
        List<Bytes> done = new ArrayList<>();
        byte[] prefix = Arrays.copyOf(key, key.length + 1);
        prefix[key.length] = SEPARATOR;
        try (KeyValueIterator<Bytes, byte[]> waiting = held.prefixScan(Bytes.wrap(prefix),
                new org.apache.kafka.common.serialization.BytesSerializer())) {
            while (waiting.hasNext()) {
                KeyValue<Bytes, byte[]> entry = waiting.next();
                EnvelopeReader.Envelope child = reader.read(entry.value);
                released.add(new Held(child, SourceRowKey.of(child.event()).toBytes()));
                done.add(entry.key);
            }
        }
        done.forEach(held::delete);
        held.delete(Bytes.wrap(key));
        return released;
    }

    /** The shard key of a child's parent, or null if the parent has not been seen yet. */
    Object shardKeyOf(byte[] parentKey) {
        byte[] value = parents.get(Bytes.wrap(parentKey));
        if (value == null) {
            return null;
        }
        try {
            return EventJson.mapper().readValue(value, Object.class);
        } catch (IOException e) {
            throw new IllegalStateException("the parent index holds a value that is not JSON", e);
        }
    }

    /** Holds a child until its parent arrives; {@code unique} tells apart the children of one parent. */
    void hold(byte[] parentKey, String unique, byte[] child) {
        byte[] suffix = unique.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(parentKey, parentKey.length + 1 + suffix.length);
        key[parentKey.length] = SEPARATOR;
        System.arraycopy(suffix, 0, key, parentKey.length + 1, suffix.length);
        held.put(Bytes.wrap(key), child);
        held.put(Bytes.wrap(parentKey), WAITING);
    }

    private static byte[] json(Object value) {
        try {
            return EventJson.mapper().writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write shard key " + value, e);
        }
    }
}
