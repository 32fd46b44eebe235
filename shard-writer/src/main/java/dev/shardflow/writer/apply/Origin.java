package dev.shardflow.writer.apply;

/**
 * Where a change came from on Kafka, and the record as it was there, for the dead-letter topic.
 *
 * @param fencePath for a fence marker copy, the change partitions it came through (the rebalancer's
 *     {@code shardflow.fence.path} header); otherwise null
 */
public record Origin(String topic, int partition, long offset, byte[] key, byte[] value, String fencePath) {

    public Origin(String topic, int partition, long offset, byte[] key, byte[] value) {
        this(topic, partition, offset, key, value, null);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
