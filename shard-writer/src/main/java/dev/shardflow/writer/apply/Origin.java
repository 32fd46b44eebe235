package dev.shardflow.writer.apply;

/**
 * Where a change came from on Kafka, and the record as it was there, for the dead-letter topic.
 *
 * @param fence for a copy of a fence marker, its path and stage times; otherwise null
 */
public record Origin(String topic, int partition, long offset, byte[] key, byte[] value, FenceCopy fence) {

    public Origin(String topic, int partition, long offset, byte[] key, byte[] value) {
        this(topic, partition, offset, key, value, null);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
