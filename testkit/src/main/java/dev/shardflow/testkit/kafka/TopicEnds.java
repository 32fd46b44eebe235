package dev.shardflow.testkit.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * How many records a topic holds: the sum of its partitions' end offsets (for topics nothing ever deletes from); and how
 * far a consumer group has come through it.
 */
public final class TopicEnds {

    private TopicEnds() {}

    /** The sum of the end offsets of every partition of {@code topic}; 0 while the topic does not exist yet. */
    public static long sum(Admin admin, String topic) throws InterruptedException {
        try {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return 0; // created with its first record
            }
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getCause(), e);
        }
    }

    /** The sum of the offsets {@code group} has committed on the partitions of {@code topic}; 0 before its first. */
    public static long committed(Admin admin, String group, String topic) throws InterruptedException {
        try {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets " + group + " committed: " + e.getCause(), e);
        }
    }
}
