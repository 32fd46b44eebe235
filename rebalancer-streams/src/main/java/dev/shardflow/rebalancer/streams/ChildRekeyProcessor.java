package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Re-keys each change of a child table by its parent row (source shard and parent primary key, exactly as the
 * parent's change topic is keyed), so that it is repartitioned to the task that knows its parent.
 */
final class ChildRekeyProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Topology topology;
    private final RouteCounts counts;
    private final ThreadCommits liveCommit;
    private Outputs outputs;
    private EnvelopeReader reader;

    private final CopyThrottle throttle;

    ChildRekeyProcessor(Topology topology, RouteCounts counts, ThreadCommits liveCommit, CopyThrottle throttle) {
        this.throttle = throttle;
        this.liveCommit = liveCommit;
        this.topology = topology;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.outputs = new Outputs(context, counts, liveCommit);
        this.reader = new EnvelopeReader(topology);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        throttle.admit();
        if (record.value() == null) {
            counts.count("tombstone");
            return;
        }
        ChangeEvent child;
        try {
            child = PoisonCheck.read(record.value(), reader, topology).event();
        } catch (PoisonCheck.Unreadable e) {
            counts.count("poison"); // the poison watch dead-letters it, once; a move only leaves it
            return;
        }
        if (child.isMarker()) {
            Headers headers = new RecordHeaders().add(RekeyTopology.FENCE_PATH_HEADER,
                    outputs.fencePath(null).getBytes(StandardCharsets.UTF_8)).add(RekeyTopology.FENCE_HOPS_HEADER,
                    Outputs.fenceHops(null).getBytes(StandardCharsets.UTF_8));
            outputs.childFence(record.withHeaders(headers));
            return;
        }
        byte[] parentKey;
        try {
            parentKey = PoisonCheck.parentKey(child, topology);
        } catch (PoisonCheck.Unreadable e) {
            counts.count("poison");
            return;
        }
        outputs.child(record.withKey(parentKey));
    }
}
