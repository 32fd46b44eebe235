package dev.shardflow.topology.workflow;

import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.CopyStarts;
import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How far a rebalance's move is, read from Kafka as any operator tool would: the copy's committed position against
 * the end offsets the rebalancer recorded when the copy started ({@code <prefix>.rebalancer.copy-starts}), the
 * move's lag behind the change topics now, and the lag of writers behind their apply topics.
 */
public final class MoveWatch {
    private final KafkaConnection kafka;
    private final Admin admin;
    private final TopicNames topics;
    private final String keyspace;
    private final String rebalancerApplicationId;
    private final CopyStarts copyStarts;

    public MoveWatch(KafkaConnection kafka, Admin admin, TopicNames topics, String keyspace,
            String rebalancerApplicationId) {
        this.kafka = kafka;
        this.admin = admin;
        this.topics = topics;
        this.keyspace = keyspace;
        this.rebalancerApplicationId = rebalancerApplicationId;
        this.copyStarts = new CopyStarts(kafka, topics);
    }

    /**
     * The figures of a rebalance's move that its status and the metrics report: the copy's progress (null before the
     * move started), and the records still to apply — by the move and by the writers of the side changes flow to —
     * while the rebalance moves changes (null otherwise).
     */
    public record Figures(CopyProgress copy, Long lag) {}

    /** The figures of {@code rebalance}'s move, now. */
    public Figures figures(Rebalance rebalance) throws Exception {
        CopyProgress copy = copyProgress(rebalance.id()).orElse(null);
        Long lag = null;
        if (!rebalance.state().terminal() && rebalance.state() != RebalanceState.PLANNED) {
            List<String> targets = rebalance.state().afterCutover() ? rebalance.plan().sources()
                    : rebalance.plan().targets();
            lag = moveLag(rebalance.id()).orElse(0L) + writerLag(targets);
        }
        return new Figures(copy, lag);
    }

    /** The copy's progress, or empty before the rebalancer has started the move. */
    public Optional<CopyProgress> copyProgress(String rebalanceId) throws Exception {
        return copyStarts.progress(rebalanceId, committed(moveGroup(rebalanceId)));
    }

    /** Change records the move has yet to read, now; empty before the move started. */
    public Optional<Long> moveLag(String rebalanceId) throws Exception {
        Optional<Map<TopicPartition, Long>> start = copyStarts.recorded(rebalanceId);
        if (start.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(lag(moveGroup(rebalanceId), start.get().keySet()));
    }

    /** Records the writers of {@code shards} have yet to apply, now. */
    public long writerLag(List<String> shards) throws Exception {
        long lag = 0;
        for (String shard : shards) {
            Set<TopicPartition> partitions = new HashSet<>();
            admin.describeTopics(List.of(topics.apply(shard))).allTopicNames().get(30, TimeUnit.SECONDS).values()
                    .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(),
                            p.partition()))));
            lag += lag(ConsumerGroups.writer(keyspace, shard), partitions);
        }
        return lag;
    }

    /** True while any rebalancer instance still runs the move of {@code rebalanceId}. */
    public boolean moveRunning(String rebalanceId) throws Exception {
        String group = moveGroup(rebalanceId);
        var description = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
        return description != null && !description.members().isEmpty();
    }

    private String moveGroup(String rebalanceId) {
        return ConsumerGroups.move(rebalancerApplicationId, rebalanceId);
    }

    private long lag(String group, Set<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = committed(group);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        long lag = 0;
        Map<TopicPartition, long[]> small = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata at = committed.get(partition);
            long from = at == null ? 0 : at.offset();
            long behind = Math.max(0, ends.get(partition).offset() - from);
            if (behind > 0 && behind <= EXACT_BELOW) {
                small.put(partition, new long[] {from, ends.get(partition).offset()});
            } else {
                lag += behind;
            }
        }
        return lag + recordsBetween(small);
    }

    /** Below this many offsets a partition's lag is counted record by record. */
    private static final long EXACT_BELOW = 200;

    /**
     * The records really there between a committed offset and the end: transactional producers (the rebalancer's)
     * leave commit markers that take an offset each and that no consumer ever commits past, so offsets alone would
     * show a lag that never drains.
     */
    private long recordsBetween(Map<TopicPartition, long[]> ranges) {
        if (ranges.isEmpty()) {
            return 0;
        }
        Properties p = kafka.client(Map.of());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(ranges.keySet());
            ranges.forEach((partition, range) -> consumer.seek(partition, range[0]));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ranges.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()[1])
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.offset() < ranges.get(new TopicPartition(record.topic(), record.partition()))[1]) {
                        records++;
                    }
                }
            }
        }
        return records;
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    }
}
