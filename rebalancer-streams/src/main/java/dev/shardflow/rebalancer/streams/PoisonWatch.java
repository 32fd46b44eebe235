package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.contract.MarkerFanOut;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poison watch: a Streams application of its own that reads every change topic as records arrive — whether a
 * rebalance runs or not — and dead-letters each record a move could not take ({@link PoisonCheck}), once. A record
 * is known by where it is: its change topic, partition and offset, which compaction leaves as they are. The watch
 * records each one it dead-letters in the compacted {@code <prefix>.poison} topic and reads that topic back into a
 * global store, so that a record already dead-lettered is not dead-lettered again, not by a restarted watch reading
 * from the beginning and not by any move (the moves only count and leave poison).
 */
public final class PoisonWatch {
    /** The global store of the records already found poison, by {@link #id}. */
    public static final String POISON_STORE = "poison";
    static final String DLQ_SINK = "poison-dlq-sink";
    static final String POISON_SINK = "poison-sink";

    private PoisonWatch() {}

    /** How a record is known: {@code <topic>/<partition>/<offset>}. */
    public static String id(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    public static Topology build(dev.shardflow.core.topology.Topology fallback, RouteCounts counts) {
        TopicNames topics = TopicNames.of(fallback);
        Topology topology = new Topology();
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RekeyTopology.STATE_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                "topology-source", new StringDeserializer(), new ByteArrayDeserializer(), topics.topology(),
                "topology-loader", RekeyTopology.topologyLoader());
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(POISON_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                "poison-source", new StringDeserializer(), new ByteArrayDeserializer(), topics.poison(),
                "poison-loader", RekeyTopology.storeLoader(POISON_STORE));
        List<String> watchers = new java.util.ArrayList<>();
        List<String> routed = MarkerFanOut.routedTopics(fallback);
        topology.addSource("changes", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                routed.toArray(String[]::new));
        topology.addProcessor("watch", () -> new Watcher(fallback, counts, false), "changes");
        watchers.add("watch");
        List<String> children = MarkerFanOut.childTopics(fallback);
        if (!children.isEmpty()) {
            topology.addSource("children", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    children.toArray(String[]::new));
            topology.addProcessor("watch-children", () -> new Watcher(fallback, counts, true), "children");
            watchers.add("watch-children");
        }
        topology.addSink(DLQ_SINK, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(),
                watchers.toArray(String[]::new));
        topology.addSink(POISON_SINK, topics.poison(), new ByteArraySerializer(), new ByteArraySerializer(),
                watchers.toArray(String[]::new));
        return topology;
    }

    /** Checks each record of the change topics it is given; forwards nothing but dead letters and poison records. */
    private static final class Watcher implements Processor<byte[], byte[], byte[], byte[]> {
        private static final Logger log = LoggerFactory.getLogger(PoisonWatch.class);

        private final dev.shardflow.core.topology.Topology fallback;
        private final RouteCounts counts;
        private final boolean childTopics;
        private ProcessorContext<byte[], byte[]> context;
        private RoutingCache routings;
        private KeyValueStore<String, byte[]> known;
        private EnvelopeReader reader;

        Watcher(dev.shardflow.core.topology.Topology fallback, RouteCounts counts, boolean childTopics) {
            this.fallback = fallback;
            this.counts = counts;
            this.childTopics = childTopics;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            routings = new RoutingCache(context.getStateStore(RekeyTopology.STATE_STORE), fallback);
            known = context.getStateStore(POISON_STORE);
            reader = new EnvelopeReader(fallback);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.value() == null) {
                return; // compaction's marker after a delete
            }
            Optional<String> problem = PoisonCheck.problem(record.value(), reader, fallback,
                    routings.routing(fallback.keyspace()), childTopics);
            if (problem.isEmpty()) {
                return;
            }
            RecordMetadata at = context.recordMetadata().orElseThrow();
            String id = id(at.topic(), at.partition(), at.offset());
            if (known.get(id) != null) {
                counts.count("poison_known");
                return;
            }
            boolean tooLarge = record.value().length > fallback.maxMessageBytes();
            Headers headers = DeadLetterHeaders.of(problem.get(), "rebalancer poison watch", null,
                    context.recordMetadata(), null);
            if (tooLarge) {
                headers.add("row.bytes", Long.toString(record.value().length).getBytes(StandardCharsets.UTF_8));
                headers.add("row.maxBytes", Long.toString(fallback.maxRowBytes()).getBytes(StandardCharsets.UTF_8));
            }
            log.warn("poison at {}: dead-lettered once: {}", id, problem.get());
            context.forward(new Record<>(record.key(), tooLarge ? null : record.value(), record.timestamp(),
                    headers), DLQ_SINK);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("reason", problem.get());
            entry.put("atMs", System.currentTimeMillis());
            context.forward(new Record<>(id.getBytes(StandardCharsets.UTF_8), EventJson.write(entry, "a poison entry"),
                    record.timestamp()), POISON_SINK);
            counts.count("poison_dead_lettered");
        }
    }
}
