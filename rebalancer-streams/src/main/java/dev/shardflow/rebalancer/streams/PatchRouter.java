package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.rebalancer.route.Routing;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends the patches of an in-place view to the shard that owns each row under the topology in force, and during a
 * rebalance to its owner under the other topology as well: a patch that reaches the old owner just after cutover
 * is then never the only copy, and on a shard without the row it changes nothing.
 */
final class PatchRouter implements Processor<String, ChangeEvent, byte[], byte[]> {
    private final Topology fallback;
    private final RouteCounts counts;
    private ProcessorContext<byte[], byte[]> context;
    private RoutingCache routings;

    PatchRouter(Topology fallback, RouteCounts counts) {
        this.fallback = fallback;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.routings = new RoutingCache(context.getStateStore(RekeyTopology.STATE_STORE), fallback);
    }

    @Override
    public void process(Record<String, ChangeEvent> record) {
        ChangeEvent patch = record.value();
        if (patch == null) {
            return; // the row already holds the joined values, or one side is deleted
        }
        Routing routing = routings.routing(patch.keyspace());
        Set<String> shards = new LinkedHashSet<>();
        shards.add(routing.placement().ownerOf(patch.shardKey()));
        routing.placement().otherOwnerOf(patch.shardKey()).ifPresent(shards::add);
        byte[] key = TableRowKey.of(patch).toBytes();
        byte[] value = EventJson.toBytes(patch);
        for (String shard : shards) {
            counts.count("patch");
            context.forward(new Record<>(key, value, record.timestamp(), new RecordHeaders()
                    .add(RekeyTopology.TARGET_HEADER, shard.getBytes(StandardCharsets.UTF_8))));
        }
    }
}
