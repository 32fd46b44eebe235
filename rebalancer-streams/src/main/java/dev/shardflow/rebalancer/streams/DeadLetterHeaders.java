package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The headers of a dead letter from the rebalancer, the same from the move and from the views: why ({@code reason},
 * {@code exception}), who ({@code component}), where it was read ({@code source.topic}, {@code source.partition},
 * {@code source.offset}), and when readable what it is ({@code table}, {@code source.shard}, {@code source.position}).
 */
final class DeadLetterHeaders {

    private DeadLetterHeaders() {}

    static Headers of(String reason, String component, Exception error, Optional<RecordMetadata> source,
            ChangeEvent change) {
        Headers headers = new RecordHeaders();
        add(headers, "reason", reason);
        add(headers, "component", component);
        if (error != null) {
            add(headers, "exception", error.getClass().getName());
        }
        source.ifPresent(at -> {
            add(headers, "source.topic", at.topic());
            add(headers, "source.partition", String.valueOf(at.partition()));
            add(headers, "source.offset", String.valueOf(at.offset()));
        });
        if (change != null) {
            add(headers, "table", change.table());
            add(headers, "source.shard", change.source().shard());
            add(headers, "source.position", String.valueOf(change.source().position()));
        }
        return headers;
    }

    /** Where a record was read, for a log line. */
    static String where(Optional<RecordMetadata> source) {
        return source.map(at -> at.topic() + "-" + at.partition() + "@" + at.offset()).orElse("?");
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
