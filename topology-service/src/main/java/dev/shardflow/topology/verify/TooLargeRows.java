package dev.shardflow.topology.verify;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.RowReader;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.TopicCatchUp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows a difference is explained by: those larger than {@code maxRowBytes}, which capture dead-lettered with their
 * key, size and the limit instead of changing them anywhere ({@code row.bytes} letters). Read from the dead-letter
 * topic the first time a run needs it, so that verify says of such a row why it is missing or stale rather than
 * report a bare difference.
 */
public final class TooLargeRows implements Mismatch.Reasons {
    private static final Logger log = LoggerFactory.getLogger(TooLargeRows.class);

    private final KafkaConnection kafka;
    private final Topology topology;
    private Map<String, String> byTableAndKey;

    public TooLargeRows(KafkaConnection kafka, Topology topology) {
        this.kafka = kafka;
        this.topology = topology;
    }

    @Override
    public Mismatch.Reasons fresh() {
        return new TooLargeRows(kafka, topology);
    }

    @Override
    public synchronized String reason(String table, String key) {
        if (byTableAndKey == null) {
            byTableAndKey = read();
        }
        return byTableAndKey.get(table + "\u0000" + key);
    }

    private Map<String, String> read() {
        Map<String, String> found = new HashMap<>();
        try {
            TopicCatchUp.readAll(kafka, List.of(TopicNames.of(topology).dlq()), letter -> {
                Headers headers = letter.headers();
                String table = header(headers, "table");
                String rowKey = header(headers, "row.key");
                if (header(headers, "row.bytes") == null || table == null || rowKey == null) {
                    return;
                }
                keyText(table, rowKey).ifPresent(key -> found.put(table + "\u0000" + key,
                        header(headers, "reason") + " (dead-lettered by " + header(headers, "component") + ")"));
            });
        } catch (RuntimeException e) {
            log.warn("verify: the dead-letter topic cannot be read to explain differences ({})", e.getMessage());
        }
        return found;
    }

    /** The key as verify writes it ({@link RowReader#keyText}), from the key map a letter carries. */
    private Optional<String> keyText(String table, String rowKey) {
        Optional<TableSpec> spec = topology.table(table);
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> key = EventJson.mapper().convertValue(EventJson.read(rowKey.getBytes(
                StandardCharsets.UTF_8), Map.class, "row key"), new TypeReference<Map<String, Object>>() {});
        List<Object> values = new ArrayList<>();
        for (String column : spec.get().primaryKey()) {
            values.add(key.get(column));
        }
        return Optional.of(RowReader.keyText(values));
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
