package dev.shardflow.rebalancer;

import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.CaptureStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a move should hold for the lag it causes or meets (the lag throttle): a source whose capture is further
 * behind than {@code throttle.maxCaptureLagMs}, as its capture last reported, or a target writer further behind its
 * apply topic than {@code throttle.maxApplyLagRecords} change records (end offsets less the writers' committed
 * ones). Each check is bounded; one that cannot be made holds nothing and says why.
 */
final class LagCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final RebalancerOptions options;
    private final Admin admin;

    LagCheck(RebalancerOptions options, Admin admin) {
        this.options = options;
        this.admin = admin;
    }

    /** Why the move should hold now, naming the shard, its lag and the bound; null when nothing is above a bound. */
    String holdReason() throws Exception {
        RebalancerOptions.LagBounds bounds = options.lagBounds();
        TopicNames names = TopicNames.of(options.topology());
        if (bounds.maxCaptureLagMs() > 0) {
            for (CaptureReport report : CaptureStatus.read(options.kafka(), names, TIMEOUT).values()) {
                if (report.lagMs() != null && report.lagMs() > bounds.maxCaptureLagMs()) {
                    return "the capture of " + report.shard() + " is " + report.lagMs() + " ms behind its source, "
                            + "above throttle.maxCaptureLagMs (" + bounds.maxCaptureLagMs() + ")";
                }
            }
        }
        if (bounds.maxApplyLagRecords() > 0) {
            for (ShardSpec shard : options.topology().shards()) {
                long lag = writerLag(names.apply(shard.id()), ConsumerGroups.writer(options.topology().keyspace(),
                        shard.id()));
                if (lag > bounds.maxApplyLagRecords()) {
                    return "the writers of " + shard.id() + " are " + lag + " change records behind their apply "
                            + "topic, above throttle.maxApplyLagRecords (" + bounds.maxApplyLagRecords() + ")";
                }
            }
        }
        return null;
    }

    private long writerLag(String topic, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long lag = 0;
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata done = committed.get(partition);
            lag += Math.max(0, ends.get(partition).offset() - (done == null ? 0 : done.offset()));
        }
        return lag;
    }
}
