package dev.shardflow.core.event;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The key of a change-topic record: the source shard and the row's primary key. The shard is part of the key on
 * purpose: during and after a move the same primary key exists on two shards, and each shard's history must compact
 * on its own. Primary-key columns are kept in name order so that equal keys serialize to equal bytes.
 */
public record SourceRowKey(String shard, Map<String, Object> key) {

    public SourceRowKey {
        Objects.requireNonNull(shard, "shard");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a row key needs primary-key columns");
        }
        key = Collections.unmodifiableMap(new TreeMap<>(key));
    }

    public static SourceRowKey of(ChangeEvent event) {
        return new SourceRowKey(event.source().shard(), event.key());
    }

    public byte[] toBytes() {
        try {
            return EventJson.mapper().writeValueAsBytes(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write row key " + this + ": " + e.getOriginalMessage(), e);
        }
    }

    public static SourceRowKey fromBytes(byte[] bytes) {
        try {
            return EventJson.mapper().readValue(bytes, SourceRowKey.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a row key: " + e.getMessage(), e);
        }
    }
}
