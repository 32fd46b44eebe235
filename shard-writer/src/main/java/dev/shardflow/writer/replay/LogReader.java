package dev.shardflow.writer.replay;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeCheck;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one change topic for a replay, every partition, without a consumer group: from a {@link ReplayStart} up to a
 * watermark — a marker row capture put into every partition after everything the shard committed before it — and,
 * rewound, up to the same place again; later on to newer watermarks.
 */
final class LogReader implements AutoCloseable {
    /** How much of each event a read hands on. */
    enum Reading {
        /**
         * The envelope and the routing columns ({@link EnvelopeReader}): enough to place a row and find its last
         * change; the reader of the sink decodes in full ({@link #decode}) the few records whose columns it needs.
         */
        ENVELOPE,
        /** The whole event. */
        FULL
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Topology keyspace;
    private final EnvelopeReader envelopes;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<TopicPartition, Long> starts = new HashMap<>();
    private final Map<TopicPartition, Long> markers = new HashMap<>();

    /**
     * Gets each record with its event — as the reader's {@link Reading} says — null for a tombstone, or the reason it
     * could not be read.
     */
    interface Sink {
        void accept(ConsumerRecord<byte[], byte[]> record, ChangeEvent event, String unreadable)
                throws InterruptedException;
    }

    /** @param keyspace the keyspace whose topic is read: an event that does not belong to it is not handed on */
    LogReader(KafkaConnection kafka, String topic, Topology keyspace, String clientId, int maxPollRecords,
            Reading reading) {
        Properties p = kafka.client(Map.of());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
        this.keyspace = keyspace;
        this.envelopes = reading == Reading.ENVELOPE ? new EnvelopeReader(keyspace) : null;
    }

    /**
     * The whole event of a record whose envelope a sink was given.
     *
     * @throws IllegalArgumentException if it cannot be read
     */
    static ChangeEvent decode(ConsumerRecord<byte[], byte[]> record) {
        return EventJson.fromBytes(record.value());
    }

    /** Positions every partition at {@code start}, and remembers it for {@link #rewind}. */
    void seek(ReplayStart start) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new ReplayException("change topic " + topic + " does not exist; is capture configured for this "
                    + "keyspace and topic prefix?");
        }
        infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        if (start.timestampMs() != null) {
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(tp -> times.put(tp, start.timestampMs()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, Duration.ofSeconds(30));
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp at = found.get(tp);
                if (at == null) {
                    consumer.seekToEnd(List.of(tp));
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
        } else if (start.offsets() != null) {
            for (TopicPartition tp : partitions) {
                Long offset = start.offsets().get(tp.topic() + ":" + tp.partition());
                if (offset != null) {
                    consumer.seek(tp, offset);
                }
            }
        }
        for (TopicPartition tp : partitions) {
            starts.put(tp, consumer.position(tp, Duration.ofSeconds(30)));
        }
    }

    /**
     * Takes the end offsets now as the place {@link #readToLastMarker} reads to: for a topic no watermark reaches,
     * such as a view topic, which the rebalancer writes in transactions.
     */
    void markEnds() {
        markers.putAll(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
    }

    /** Back to where {@link #seek} put every partition. */
    void rewind() {
        starts.forEach(consumer::seek);
    }

    /** Records from the start up to the last marker read to, over all partitions. */
    long recordsToMarker() {
        long records = 0;
        for (TopicPartition tp : partitions) {
            records += Math.max(0, markers.getOrDefault(tp, starts.get(tp)) - starts.get(tp));
        }
        return records;
    }

    String topic() {
        return topic;
    }

    /** Reads every partition up to (not including) where the last marker read to was. */
    void readToLastMarker(Sink sink) throws InterruptedException {
        Set<TopicPartition> open = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, Duration.ofSeconds(30)) < markers.get(tp)) {
                open.add(tp);
            }
        }
        consumer.pause(partitions.stream().filter(tp -> !open.contains(tp)).toList());
        while (!open.isEmpty()) {
            Set<TopicPartition> past = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < markers.get(tp)) {
                    deliver(record, sink);
                } else {
                    past.add(tp);
                }
            }
            // records fetched past the marker are read again later
            past.forEach(tp -> consumer.seek(tp, markers.get(tp)));
            for (TopicPartition tp : List.copyOf(open)) {
                if (consumer.position(tp) >= markers.get(tp)) {
                    open.remove(tp);
                    consumer.pause(List.of(tp));
                }
            }
        }
        consumer.resume(partitions);
    }

    /**
     * Reads on until a marker of source {@code shard} whose id {@code markerId} accepts went by on every partition,
     * handing the records before it to {@code sink}; the markers' offsets are kept for {@link #readToLastMarker}.
     *
     * @throws ReplayException if it did not before {@code deadlineNanos}
     */
    void readToMarker(String shard, Predicate<String> markerId, long deadlineNanos, Sink sink)
            throws InterruptedException {
        Set<TopicPartition> waiting = new HashSet<>(partitions);
        consumer.resume(partitions);
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > deadlineNanos) {
                throw new ReplayException("the watermark written on " + shard + " did not reach "
                        + waiting.size() + " partition(s) of " + topic + " in time; check that capture of " + shard
                        + " runs and captures its tables (after the schema was recreated, restart capture so that "
                        + "it captures the new tables)");
            }
            Set<TopicPartition> past = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (!waiting.contains(tp)) {
                    past.add(tp); // after the marker: left for the next read
                    continue;
                }
                ChangeEvent event = deliverUnlessMarker(record, shard, markerId, sink);
                if (event != null) {
                    waiting.remove(tp);
                    markers.put(tp, record.offset());
                    consumer.pause(List.of(tp));
                }
            }
            past.forEach(tp -> consumer.seek(tp, markers.get(tp) + 1));
        }
        partitions.forEach(tp -> consumer.seek(tp, markers.get(tp) + 1));
        consumer.resume(partitions);
    }

    /** Hands a record on, or returns the marker's event if it is the marker (which is not handed on). */
    private ChangeEvent deliverUnlessMarker(ConsumerRecord<byte[], byte[]> record, String shard,
            Predicate<String> markerId, Sink sink) throws InterruptedException {
        if (record.value() == null) {
            sink.accept(record, null, null);
            return null;
        }
        ChangeEvent event;
        try {
            event = envelopes == null ? EventJson.fromBytes(record.value()) : envelopes.read(record.value()).event();
        } catch (RuntimeException e) {
            sink.accept(record, null, "replay cannot read the change record: " + e.getMessage());
            return null;
        }
        Optional<String> foreign = EnvelopeCheck.problemOfRow(event, keyspace);
        if (foreign.isPresent()) {
            sink.accept(record, null, "replay: " + foreign.get());
            return null;
        }
        if (event.isFence() && shard.equals(event.source().shard())
                && markerId.test(String.valueOf(event.key().get("id")))) {
            return event;
        }
        sink.accept(record, event, null);
        return null;
    }

    private void deliver(ConsumerRecord<byte[], byte[]> record, Sink sink) throws InterruptedException {
        deliverUnlessMarker(record, "", id -> false, sink);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
