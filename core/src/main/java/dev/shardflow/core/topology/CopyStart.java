package dev.shardflow.core.topology;

import dev.shardflow.core.event.EventJson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a rebalance's copy started: the end offset of each change-topic partition when its move first started, as
 * the rebalancer records it in {@code <prefix>.rebalancer.copy-starts} (keyed by rebalance id) and the topology
 * service reads it back to measure the copy. Partitions are named {@code <topic>-<partition>}, as Kafka prints them.
 */
public record CopyStart(Map<String, Long> endOffsets) {

    public CopyStart {
        endOffsets = Map.copyOf(endOffsets);
    }

    /** The topic of the copy starts of a keyspace. */
    public static String topic(TopicNames names) {
        return names.prefix() + ".rebalancer.copy-starts";
    }

    public byte[] toBytes() {
        return EventJson.write(new LinkedHashMap<>(endOffsets), "a copy start");
    }

    public static CopyStart fromBytes(byte[] json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> stored = EventJson.read(json, Map.class, "copy start");
        Map<String, Long> ends = new LinkedHashMap<>();
        stored.forEach((partition, offset) -> ends.put(partition, ((Number) offset).longValue()));
        return new CopyStart(ends);
    }

    /** The topic of a partition name. */
    public static String topicOf(String partition) {
        return partition.substring(0, partition.lastIndexOf('-'));
    }

    /** The partition number of a partition name. */
    public static int partitionOf(String partition) {
        return Integer.parseInt(partition.substring(partition.lastIndexOf('-') + 1));
    }
}
