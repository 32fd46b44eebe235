package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.ChangeRouter;
import dev.shardflow.rebalancer.route.Decision;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The changes of one table that are the truth about their rows — those of the key's owner under the topology in
 * force — keyed by primary key across all shards, stamped with the epoch in force; deletes stay as delete events so
 * that a view can carry their version. Everything else (non-owner changes, fence markers, unreadable records, which
 * the move sends to the dead-letter topic) is counted and left out.
 */
final class OwnedRows implements Processor<byte[], byte[], String, ChangeEvent> {
    private final Topology fallback;
    private final RouteCounts counts;
    private ProcessorContext<String, ChangeEvent> context;
    private RoutingCache routings;

    OwnedRows(Topology fallback, RouteCounts counts) {
        this.fallback = fallback;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<String, ChangeEvent> context) {
        this.context = context;
        this.routings = new RoutingCache(context.getStateStore(RekeyTopology.STATE_STORE), fallback);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        ChangeEvent change;
        try {
            change = EventJson.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            counts.count("view_unreadable");
            return;
        }
        var routing = routings.routing(change.keyspace());
        Decision decision = ChangeRouter.route(change, routing);
        if (decision == Decision.Skip.NON_OWNER || decision instanceof Decision.Reject || change.isFence()) {
            counts.count("view_" + RouteCounts.outcomeOf(decision));
            return;
        }
        context.forward(record.withKey(keyOf(change)).withValue(change.withEpoch(routing.current().epoch())));
    }

    /** A row's primary key as the one text every table of a join keys it by. */
    static String keyOf(java.util.Map<String, Object> key) {
        try {
            return EventJson.mapper().writeValueAsString(new TreeMap<>(key));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write key " + key, e);
        }
    }

    private static String keyOf(ChangeEvent change) {
        return keyOf(change.key());
    }
}
