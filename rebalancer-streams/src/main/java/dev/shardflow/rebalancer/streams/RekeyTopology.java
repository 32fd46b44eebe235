package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    static final String APPLY_SINK = "apply-sink";
    static final String FENCE_SINK = "fence-sink";
    static final String DLQ_SINK = "dlq-sink";

    private RekeyTopology() {}

    /**
     * @param changeTopics the change topics to route, one per captured table
     * @param fallback the topology used while the topology topic holds no state for the keyspace
     */
    public static Topology build(dev.shardflow.core.topology.Topology fallback, List<String> changeTopics,
            RouteCounts counts) {
        TopicNames topics = TopicNames.of(fallback);
        Topology topology = new Topology();
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STATE_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                "topology-source", new StringDeserializer(), new ByteArrayDeserializer(), topics.topology(),
                "topology-loader", () -> new Processor<String, byte[], Void, Void>() {
                    private KeyValueStore<String, byte[]> store;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        store = context.getStateStore(STATE_STORE);
                    }

                    @Override
                    public void process(Record<String, byte[]> record) {
                        if (record.value() == null) {
                            store.delete(record.key());
                        } else {
                            store.put(record.key(), record.value());
                        }
                    }
                });
        topology.addSource("changes", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                changeTopics.toArray(String[]::new));
        topology.addProcessor("route", () -> new RouteProcessor(fallback, counts), "changes");
        TopicNameExtractor<byte[], byte[]> applyTopic = (key, value, context) -> topics.apply(target(context));
        topology.addSink(APPLY_SINK, applyTopic, new ByteArraySerializer(), new ByteArraySerializer(), "route");
        topology.addSink(FENCE_SINK, applyTopic, new ByteArraySerializer(), new ByteArraySerializer(),
                everyPartition(), "route");
        topology.addSink(DLQ_SINK, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(), "route");
        return topology;
    }

    /** Sends a record to every partition of its topic: how a fence marker reaches every writer of a shard. */
    public static StreamPartitioner<byte[], byte[]> everyPartition() {
        return (topic, key, value, partitions) -> Optional.of(IntStream.range(0, partitions).boxed()
                .collect(Collectors.toSet()));
    }

    private static String target(org.apache.kafka.streams.processor.RecordContext context) {
        Header header = context.headers().lastHeader(TARGET_HEADER);
        if (header == null) {
            throw new IllegalStateException("an apply record without the " + TARGET_HEADER + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    static Set<String> sinks() {
        return Set.of(APPLY_SINK, FENCE_SINK, DLQ_SINK);
    }
}
