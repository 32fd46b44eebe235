package dev.shardflow.core.event;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The key of an apply-topic or view-topic record: the table and the row's primary key, so every change of one row
 * lands in one partition and one writer applies it. Primary-key columns are kept in name order so that equal keys
 * serialize to equal bytes.
 */
public record TableRowKey(String table, Map<String, Object> key) {

    public TableRowKey {
        Objects.requireNonNull(table, "table");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a row key needs primary-key columns");
        }
        key = Collections.unmodifiableMap(new TreeMap<>(key));
    }

    public static TableRowKey of(ChangeEvent event) {
        return new TableRowKey(event.table(), event.key());
    }

    public byte[] toBytes() {
        try {
            return EventJson.mapper().writeValueAsBytes(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write row key " + this + ": " + e.getOriginalMessage(), e);
        }
    }

    public static TableRowKey fromBytes(byte[] bytes) {
        try {
            return EventJson.mapper().readValue(bytes, TableRowKey.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a row key: " + e.getMessage(), e);
        }
    }
}
