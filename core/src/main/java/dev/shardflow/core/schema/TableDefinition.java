package dev.shardflow.core.schema;

import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Engine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A managed table as one source shard defines it at one point of its log: the engine, the columns in order and the
 * primary key. Capture reads it from the changes themselves, so it is exact at the change it comes with; writers
 * compare it with the one they saw before from the same source ({@link SchemaDiff}).
 */
public record TableDefinition(String table, Engine engine, List<ColumnDefinition> columns, List<String> primaryKey) {

    public TableDefinition {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(engine, "engine");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public Optional<ColumnDefinition> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** A short, stable fingerprint of the definition (hex of a SHA-256 prefix): equal definitions, equal digests. */
    public String digest() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(EventJson.write(this, "a table definition"));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The definition as JSON text, for a control table. */
    public String toJson() {
        return new String(EventJson.write(this, "a table definition"), StandardCharsets.UTF_8);
    }

    public static TableDefinition fromJson(String json) {
        return EventJson.read(json.getBytes(StandardCharsets.UTF_8), TableDefinition.class, "table definition");
    }
}
