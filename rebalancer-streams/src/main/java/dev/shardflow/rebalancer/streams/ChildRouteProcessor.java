package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.ChangeRouter;
import dev.shardflow.rebalancer.route.RouteCounts;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Routes a child change (keyed by its parent row) by its parent's shard key; a child whose parent has not been seen
 * yet is held, never dropped, and routed when the parent arrives ({@link RouteProcessor}).
 */
final class ChildRouteProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Topology fallback;
    private final RouteCounts counts;
    private final ThreadCommits liveCommit;
    private ProcessorContext<byte[], byte[]> context;
    private RoutingCache routings;
    private Outputs outputs;
    private ParentIndex parents;
    private EnvelopeReader reader;

    ChildRouteProcessor(Topology fallback, RouteCounts counts, ThreadCommits liveCommit) {
        this.liveCommit = liveCommit;
        this.fallback = fallback;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        routings = new RoutingCache(context.getStateStore(RekeyTopology.STATE_STORE), fallback);
        outputs = new Outputs(context, counts, liveCommit);
        reader = new EnvelopeReader(fallback);
        parents = new ParentIndex(context, fallback, reader);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        EnvelopeReader.Envelope read = reader.read(record.value()); // read once already by ChildRekeyProcessor
        ChangeEvent child = read.event();
        if (child.isMarker()) {
            outputs.emit(ChangeRouter.route(child, routings.routing(child.keyspace())), read, record.key(),
                    record.timestamp(), record.headers());
            return;
        }
        Object parentShardKey = parents.shardKeyOf(record.key());
        if (parentShardKey == null) {
            RecordMetadata at = context.recordMetadata().orElseThrow();
            parents.hold(record.key(), at.topic() + "-" + at.partition() + "@" + at.offset(), record.value());
            counts.count("held");
            return;
        }
        outputs.emit(ChangeRouter.route(child, routings.routing(child.keyspace()), parentShardKey), read,
                SourceRowKey.of(child).toBytes(), record.timestamp());
    }
}
