package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.rebalancer.route.ChangeRouter;
import dev.shardflow.rebalancer.route.Decision;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.rebalancer.route.Routing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each change with the keyspace's current topology state ({@link ChangeRouter}) and forwards it to the
 * apply, fence or dead-letter sink. A state that cannot be read keeps the last good one in force, loudly.
 */
final class RouteProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(RouteProcessor.class);

    private final Topology fallback;
    private final RouteCounts counts;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> states;
    private byte[] stateBytes;
    private Routing routing;

    RouteProcessor(Topology fallback, RouteCounts counts) {
        this.fallback = fallback;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(RekeyTopology.STATE_STORE);
        this.routing = Routing.steady(fallback);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            counts.count("tombstone"); // compaction's marker after a delete; the delete itself was routed
            return;
        }
        ChangeEvent change;
        try {
            change = EventJson.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            deadLetter(record, null, "cannot read the record: " + e.getMessage(), e);
            return;
        }
        Decision decision = ChangeRouter.route(change, routing(change.keyspace()));
        if (decision instanceof Decision.Reject reject) {
            deadLetter(record, change, reject.reason(), null);
            return;
        }
        counts.count(decision); // a skipped change, a non-owner's above all, is counted and never the truth
        if (decision instanceof Decision.Forward forward) {
            context.forward(new Record<>(TableRowKey.of(forward.change()).toBytes(),
                    EventJson.toBytes(forward.change()), record.timestamp(), target(forward.shard())),
                    RekeyTopology.APPLY_SINK);
        } else if (decision instanceof Decision.Fence fence) {
            byte[] key = TableRowKey.of(fence.marker()).toBytes();
            for (String shard : fence.shards()) {
                context.forward(new Record<>(key, record.value(), record.timestamp(), target(shard)),
                        RekeyTopology.FENCE_SINK);
            }
        }
    }

    private Routing routing(String keyspace) {
        byte[] latest = states.get(keyspace);
        if (latest != null && (stateBytes == null || !Arrays.equals(latest, stateBytes))) {
            stateBytes = latest;
            try {
                routing = Routing.of(TopologyState.fromBytes(latest));
                log.info("routing {} by epoch {} ({}{})", keyspace, routing.current().epoch(), routing.phase(),
                        routing.moving() ? ", other epoch " + routing.other().epoch() : "");
            } catch (RuntimeException e) {
                log.error("the topology state of {} cannot be read ({}); routing stays on epoch {}", keyspace,
                        e.getMessage(), routing.current().epoch());
            }
        }
        return routing;
    }

    private static Headers target(String shard) {
        return new RecordHeaders().add(RekeyTopology.TARGET_HEADER, shard.getBytes(StandardCharsets.UTF_8));
    }

    private void deadLetter(Record<byte[], byte[]> record, ChangeEvent change, String reason, Exception error) {
        counts.count("rejected");
        Headers headers = new RecordHeaders();
        add(headers, "reason", reason);
        add(headers, "component", "rebalancer");
        if (error != null) {
            add(headers, "exception", error.getClass().getName());
        }
        RecordMetadata source = context.recordMetadata().orElse(null);
        if (source != null) {
            add(headers, "source.topic", source.topic());
            add(headers, "source.partition", String.valueOf(source.partition()));
            add(headers, "source.offset", String.valueOf(source.offset()));
        }
        if (change != null) {
            add(headers, "table", change.table());
            add(headers, "source.shard", change.source().shard());
            add(headers, "source.position", String.valueOf(change.source().position()));
        }
        log.warn("change at {} to the dead-letter topic: {}", source == null ? "?" : source.topic() + "-"
                + source.partition() + "@" + source.offset(), reason);
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), RekeyTopology.DLQ_SINK);
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
