package dev.shardflow.core.schema;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.Source;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A managed table's definition on one source shard, from the change of the source's log at which it took effect:
 * carried as a {@link ChangeEvent} of {@link ControlTables#SCHEMA} keyed by table and digest, so that it travels the
 * same ordered paths as the table's rows, ahead of the first one that has it. {@code statement} is the DDL that made
 * it where the source's log holds one (MariaDB, MySQL); PostgreSQL's log of rows holds none. {@code indexes} are the
 * table's secondary indexes as the source's catalog listed them when the event was sent (null when not known): an
 * index changes no row, so it needs no exact place in the log, only to reach the targets.
 */
public record SchemaEvent(TableDefinition definition, String statement, List<IndexDefinition> indexes) {

    public SchemaEvent {
        Objects.requireNonNull(definition, "definition");
        indexes = indexes == null ? null : List.copyOf(indexes);
    }

    public SchemaEvent(TableDefinition definition, String statement) {
        this(definition, statement, null);
    }

    /** The same definition with the indexes the source has now. */
    public SchemaEvent withIndexes(List<IndexDefinition> current) {
        return new SchemaEvent(definition, statement, current);
    }

    public String table() {
        return definition.table();
    }

    /** The event as the envelope carries it. */
    public ChangeEvent toChange(String keyspace, Source source, long epoch) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("table", definition.table());
        key.put("digest", definition.digest());
        Map<String, Object> after = new LinkedHashMap<>(key);
        after.put("definition", EventJson.mapper().convertValue(definition, Map.class));
        if (statement != null) {
            after.put("statement", statement);
        }
        if (indexes != null) {
            after.put("indexes", EventJson.mapper().convertValue(indexes, List.class));
        }
        return new ChangeEvent(keyspace, ControlTables.SCHEMA, Op.CREATE, key, null, after, null, source, epoch);
    }

    /**
     * The schema event an envelope carries, or empty for any other change.
     *
     * @throws IllegalArgumentException if it is a schema event whose definition cannot be read
     */
    public static Optional<SchemaEvent> of(ChangeEvent change) {
        if (!change.isSchema()) {
            return Optional.empty();
        }
        Object definition = change.after() == null ? null : change.after().get("definition");
        if (!(definition instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("schema event " + change.key() + " from shard "
                    + change.source().shard() + " has no definition");
        }
        TableDefinition read = EventJson.mapper().convertValue(definition, TableDefinition.class);
        Object statement = change.after().get("statement");
        Object indexes = change.after().get("indexes");
        List<IndexDefinition> readIndexes = indexes == null ? null : EventJson.mapper().convertValue(indexes,
                EventJson.mapper().getTypeFactory().constructCollectionType(List.class, IndexDefinition.class));
        return Optional.of(new SchemaEvent(read, statement == null ? null : statement.toString(), readIndexes));
    }
}
