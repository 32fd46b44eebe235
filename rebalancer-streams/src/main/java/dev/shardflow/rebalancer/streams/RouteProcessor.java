package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.route.ChangeRouter;
import dev.shardflow.rebalancer.route.RouteCounts;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Routes each change of a table placed by its own shard key with the keyspace's current topology state
 * ({@link ChangeRouter}) and hands the decision to the apply, fence or dead-letter sink. A change of a parent table
 * also updates the index of parents, which may release children that came first.
 */
final class RouteProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Topology fallback;
    private final RouteCounts counts;
    private final ThreadCommits liveCommit;
    private RoutingCache routings;
    private Outputs outputs;
    private ParentIndex parents;
    private EnvelopeReader reader;
    private final CopyThrottle throttle;

    RouteProcessor(Topology fallback, RouteCounts counts, ThreadCommits liveCommit, CopyThrottle throttle) {
        this.throttle = throttle;
        this.liveCommit = liveCommit;
        this.fallback = fallback;
        this.counts = counts;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        routings = new RoutingCache(context.getStateStore(RekeyTopology.STATE_STORE), fallback);
        outputs = new Outputs(context, counts, liveCommit);
        reader = new EnvelopeReader(fallback);
        parents = new ParentIndex(context, fallback, reader);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        throttle.admit();
        if (record.value() == null) {
            counts.count("tombstone"); // compaction's marker after a delete; the delete itself was routed
            return;
        }
        EnvelopeReader.Envelope read;
        try {
            read = PoisonCheck.read(record.value(), reader, fallback);
        } catch (PoisonCheck.Unreadable e) {
            counts.count("poison"); // the poison watch dead-letters it, once; a move only leaves it
            return;
        }
        ChangeEvent change = read.event();
        outputs.emit(ChangeRouter.route(change, routings.routing(change.keyspace())), read, record.key(),
                record.timestamp(), record.headers());
        if (parents.isParent(change.table()) && change.shardKey() != null) {
            for (ParentIndex.Held child : parents.remember(change)) {
                counts.count("released");
                outputs.emit(ChangeRouter.route(child.read().event(), routings.routing(change.keyspace()),
                        change.shardKey()), child.read(), child.key(), record.timestamp());
            }
        }
    }
}
