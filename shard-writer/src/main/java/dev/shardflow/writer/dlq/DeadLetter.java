package dev.shardflow.writer.dlq;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One record of the dead-letter topic as an operator sees it: where it is, why it is there (the {@code reason}
 * header), where it came from ({@code source.topic}, {@code source.partition}, {@code source.offset}) and which
 * component put it there, with every header as text. The payload is the original record's, unchanged.
 */
public record DeadLetter(int partition, long offset, long timestampMs, String reason, String component,
        String sourceTopic, Integer sourcePartition, Long sourceOffset, Map<String, String> headers, byte[] key,
        byte[] value) {

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null
                    : new String(header.value(), StandardCharsets.UTF_8));
        }
        return new DeadLetter(record.partition(), record.offset(), record.timestamp(), headers.get("reason"),
                headers.get("component"), headers.get("source.topic"), integer(headers.get("source.partition")),
                number(headers.get("source.offset")), headers, record.key(), record.value());
    }

    private static Integer integer(String text) {
        Long value = number(text);
        return value == null ? null : value.intValue();
    }

    private static Long number(String text) {
        try {
            return text == null ? null : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
