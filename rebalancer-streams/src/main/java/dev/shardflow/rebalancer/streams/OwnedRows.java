package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.ChangeRouter;
import dev.shardflow.rebalancer.route.Decision;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.util.TreeMap;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The changes of one table that are the truth about their rows — those of the key's owner under the topology in
 * force — keyed by primary key across all shards, stamped with the epoch in force; deletes stay as delete events so
 * that a view can carry their version. Non-owner changes and fence markers are counted and left out; a record that
 * cannot be read or does not belong to the keyspace is counted and forwarded under the key {@link #REJECTED}, its
 * original key, value and reason in headers, for the view's dead-letter sink ({@link ViewTopology}).
 */
final class OwnedRows implements Processor<byte[], byte[], String, ChangeEvent> {
    /** The key of a record bound for the dead-letter topic; never a row's key, which is a JSON object. */
    private static final Logger log = LoggerFactory.getLogger(OwnedRows.class);
    static final String REJECTED = "\u0000rejected";
    /** Headers of a rejected record that carry the original key and value to the dead-letter sink. */
    static final String ORIGINAL_KEY = "shardflow.original-key";
    static final String ORIGINAL_VALUE = "shardflow.original-value";

    private final Topology fallback;
    private final RouteCounts counts;
    private ProcessorContext<String, ChangeEvent> context;
    private RoutingCache routings;
    private EnvelopeReader reader;

    OwnedRows(Topology fallback, RouteCounts counts) {
        this.fallback = fallback;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<String, ChangeEvent> context) {
        this.context = context;
        this.routings = new RoutingCache(context.getStateStore(RekeyTopology.STATE_STORE), fallback);
        this.reader = new EnvelopeReader(fallback);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        // decided on the envelope and the routing columns; only a change that is kept is read in full
        ChangeEvent routed;
        try {
            routed = PoisonCheck.read(record.value(), reader, fallback).event();
        } catch (PoisonCheck.Unreadable e) {
            counts.count("view_poison"); // the poison watch dead-letters it, once
            return;
        }
        var routing = routings.routing(routed.keyspace());
        Decision decision = ChangeRouter.route(routed, routing);
        if (decision instanceof Decision.Poison) {
            counts.count("view_poison");
            return;
        }
        if (decision instanceof Decision.Reject reject) {
            counts.count("view_rejected");
            reject(record, routed, reject.reason());
            return;
        }
        if (decision == Decision.Skip.NON_OWNER || routed.isMarker()) {
            counts.count("view_" + RouteCounts.outcomeOf(decision));
            return;
        }
        ChangeEvent change;
        try {
            change = EventJson.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            unreadable(record, e);
            return;
        }
        context.forward(record.withKey(keyOf(change)).withValue(change.withEpoch(routing.current().epoch())));
    }

    private void unreadable(Record<byte[], byte[]> record, IllegalArgumentException e) {
        counts.count("view_unreadable");
        reject(record, null, "cannot read the record: " + e.getMessage());
    }

    private void reject(Record<byte[], byte[]> record, ChangeEvent change, String reason) {
        Headers headers = DeadLetterHeaders.of(reason, "rebalancer views", null, context.recordMetadata(), change);
        log.warn("views: change at {} to the dead-letter topic: {}", DeadLetterHeaders.where(context.recordMetadata()),
                reason);
        headers.add(ORIGINAL_KEY, record.key());
        headers.add(ORIGINAL_VALUE, record.value());
        context.forward(new Record<String, ChangeEvent>(REJECTED, null, record.timestamp(), headers));
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
