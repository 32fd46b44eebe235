package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The Kafka serde of {@link ChangeEvent} where a Streams store keeps events. A null payload is a tombstone and stays null. A
 * payload that is not an event fails with a {@link SerializationException} naming the topic, so the consumer's
 * error handler can send it to the dead-letter queue with that reason.
 */
public final class ChangeEventSerde implements Serde<ChangeEvent> {

    @Override
    public Serializer<ChangeEvent> serializer() {
        return (topic, event) -> event == null ? null : EventJson.toBytes(event);
    }

    @Override
    public Deserializer<ChangeEvent> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return EventJson.fromBytes(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
            }
        };
    }
}
