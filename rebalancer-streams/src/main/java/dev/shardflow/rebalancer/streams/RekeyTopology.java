package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.contract.MarkerFanOut;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The re-key topology, as the data flows: the topology topic fills a global store of topology states; every change
 * of the change topics is routed ({@link RouteProcessor}); forwarded changes go to {@code <prefix>.apply.<shard>}
 * keyed by table and primary key, fence markers to every partition of the apply topics of the shards of the other
 * topology, and changes that cannot be routed to the dead-letter topic.
 */
public final class RekeyTopology {
    public static final String STATE_STORE = "topology-state";
    /** The shard an output record is for; names its apply topic. */
    public static final String TARGET_HEADER = "shardflow.target";
    /** On a fence marker copy: the change partitions it came through ({@code topic:partition}, joined by {@code >}). */
    public static final String FENCE_PATH_HEADER = dev.shardflow.core.event.ChangeEvent.FENCE_PATH_HEADER;
    /** When each hop handed a fence copy on, for the cutover's breakdown ({@code ChangeEvent#FENCE_HOPS_HEADER}). */
    public static final String FENCE_HOPS_HEADER = dev.shardflow.core.event.ChangeEvent.FENCE_HOPS_HEADER;
    /** Per parent row, its shard key. */
    public static final String PARENTS_STORE = "parents";
    /** Children that arrived before their parent. */
    public static final String HELD_STORE = "held-children";
    static final String APPLY_SINK = "apply-sink";
    static final String CHILDREN_SINK = "rekeyed-children-sink";
    static final String CHILDREN_FENCE_SINK = "rekeyed-children-fence-sink";
    static final String FENCE_SINK = "fence-sink";
    static final String DLQ_SINK = "dlq-sink";

    private RekeyTopology() {}

    /** The topology with commits left to Streams' commit interval alone. */
    public static Topology build(dev.shardflow.core.topology.Topology fallback, RouteCounts counts) {
        return build(fallback, counts, Duration.ZERO);
    }

    /**
     * @param fallback the topology used while the topology topic holds no state for the keyspace
     * @param live how long a live change may wait for its transaction to commit, however long Streams' commit
     *     interval, and a fence marker too (zero: Streams' interval decides); one request per interval and thread
     */
    public static Topology build(dev.shardflow.core.topology.Topology fallback, RouteCounts counts,
            Duration live) {
        return build(fallback, counts, live, CopyThrottle.unlimited());
    }

    /** @param throttle how many change records per second the move takes, changed while it runs */
    public static Topology build(dev.shardflow.core.topology.Topology fallback, RouteCounts counts,
            Duration live, CopyThrottle throttle) {
        ThreadCommits liveCommit = new ThreadCommits(live);
        TopicNames topics = TopicNames.of(fallback);
        Topology topology = new Topology();
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STATE_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                "topology-source", new StringDeserializer(), new ByteArrayDeserializer(), topics.topology(),
                "topology-loader", topologyLoader());
        // the paths a marker takes, which the topology service counts by the same rule
        List<String> routed = MarkerFanOut.routedTopics(fallback);
        topology.addSource("changes", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                routed.toArray(String[]::new));
        topology.addProcessor("route", () -> new RouteProcessor(fallback, counts, liveCommit, throttle), "changes");
        List<String> childTopics = MarkerFanOut.childTopics(fallback);
        List<String> routers = new ArrayList<>(List.of("route"));
        if (!childTopics.isEmpty()) {
            // children meet their parents in one task: re-keyed by parent row, through a topic partitioned like the
            // parents' change topics
            topology.addSource("children", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    childTopics.toArray(String[]::new));
            topology.addProcessor("child-rekey", () -> new ChildRekeyProcessor(fallback, counts, liveCommit, throttle), "children");
            topology.addSink(CHILDREN_SINK, topics.childrenByParent(), new ByteArraySerializer(),
                    new ByteArraySerializer(), "child-rekey");
            // a fence marker in a child change topic goes on to every partition, after the children before it
            topology.addSink(CHILDREN_FENCE_SINK, topics.childrenByParent(), new ByteArraySerializer(),
                    new ByteArraySerializer(), everyPartition(), "child-rekey");
            topology.addSource("rekeyed-children", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    topics.childrenByParent());
            topology.addProcessor("child-route", () -> new ChildRouteProcessor(fallback, counts, liveCommit),
                    "rekeyed-children");
            routers.add("child-route");
        }
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PARENTS_STORE),
                Serdes.Bytes(), Serdes.ByteArray()), routers.toArray(String[]::new));
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_STORE),
                Serdes.Bytes(), Serdes.ByteArray()), routers.toArray(String[]::new));
        TopicNameExtractor<byte[], byte[]> applyTopic = applyTopic(topics);
        String[] routersArray = routers.toArray(String[]::new);
        topology.addSink(APPLY_SINK, applyTopic, new ByteArraySerializer(), new ByteArraySerializer(), routersArray);
        topology.addSink(FENCE_SINK, applyTopic, new ByteArraySerializer(), new ByteArraySerializer(),
                everyPartition(), routersArray);
        List<String> rejecting = new ArrayList<>(routers);
        if (!childTopics.isEmpty()) {
            rejecting.add("child-rekey");
        }
        topology.addSink(DLQ_SINK, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(),
                rejecting.toArray(String[]::new));
        return topology;
    }

    /** Keeps the global store of topology states equal to the compacted topology topic. */
    static ProcessorSupplier<String, byte[], Void, Void> topologyLoader() {
        return storeLoader(STATE_STORE);
    }

    /** Keeps a global store equal to the compacted topic it is loaded from: a tombstone deletes its key. */
    static ProcessorSupplier<String, byte[], Void, Void> storeLoader(String storeName) {
        return () -> new Processor<String, byte[], Void, Void>() {
            private KeyValueStore<String, byte[]> store;

            @Override
            public void init(ProcessorContext<Void, Void> context) {
                store = context.getStateStore(storeName);
            }

            @Override
            public void process(Record<String, byte[]> record) {
                if (record.value() == null) {
                    store.delete(record.key());
                } else {
                    store.put(record.key(), record.value());
                }
            }
        };
    }

    /** Sends a record to every partition of its topic: how a fence marker reaches every writer of a shard. */
    public static StreamPartitioner<byte[], byte[]> everyPartition() {
        return (topic, key, value, partitions) -> Optional.of(IntStream.range(0, partitions).boxed()
                .collect(Collectors.toSet()));
    }

    /** The apply topic of the shard an output record's {@link #TARGET_HEADER} names. */
    static TopicNameExtractor<byte[], byte[]> applyTopic(TopicNames topics) {
        return (key, value, context) -> topics.apply(target(context));
    }

    private static String target(org.apache.kafka.streams.processor.RecordContext context) {
        Header header = context.headers().lastHeader(TARGET_HEADER);
        if (header == null) {
            throw new IllegalStateException("an apply record without the " + TARGET_HEADER + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

}
