package dev.shardflow.writer.apply;

/** Where a change came from on Kafka, and the record as it was there, for the dead-letter topic. */
public record Origin(String topic, int partition, long offset, byte[] key, byte[] value) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
