package dev.shardflow.capture.debezium;

import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.ColumnType;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Notices, from the changes of one source shard, when a managed table's definition changes, and gives the
 * {@link SchemaEvent} to send ahead of the first change that has the new one. The definition is read from the record
 * itself — the Connect schema Debezium built for the row, with each column's source type
 * ({@code column.propagate.source.type}) — so it is exact at that point of the log, whether the change came from a
 * DDL statement (MariaDB, MySQL, whose statement goes with it) or only shows in the rows (PostgreSQL, whose log of
 * rows holds no DDL). The first change of each table after a start gives its definition too, since a change made while
 * capture was down leaves no other trace.
 *
 * <p>Debezium builds one schema object per table definition, so a change of the same definition costs one identity
 * comparison.
 */
public final class DefinitionTracker {
    static final String TYPE = "__debezium.source.column.type";
    static final String LENGTH = "__debezium.source.column.length";
    static final String SCALE = "__debezium.source.column.scale";

    private final Topology topology;
    private final Engine engine;
    private final Map<String, Schema> lastSchema = new HashMap<>();
    private final Map<String, TableDefinition> lastDefinition = new HashMap<>();
    private final Map<String, String> statements = new HashMap<>();

    public DefinitionTracker(Topology topology, Engine engine) {
        this.topology = topology;
        this.engine = engine;
    }

    /**
     * The schema event to send before {@code record}'s change of {@code table}, if the table's definition is not the
     * one last sent; empty otherwise, and for a record that holds no row.
     */
    public Optional<Changed> changed(SourceRecord record, String table) {
        if (!(record.value() instanceof Struct envelope)) {
            return Optional.empty();
        }
        Schema schema = envelope.schema();
        if (lastSchema.get(table) == schema) {
            if (!statements.isEmpty()) {
                statements.remove(table); // a statement that changed no column (an index, a partition) goes no further
            }
            return Optional.empty();
        }
        Field image = schema.field("after") != null ? schema.field("after") : schema.field("before");
        if (image == null) {
            return Optional.empty();
        }
        TableDefinition definition = definition(table, image.schema(), record.keySchema());
        lastSchema.put(table, schema);
        TableDefinition previous = lastDefinition.put(table, definition);
        if (previous != null && previous.equals(definition)) {
            statements.remove(table);
            return Optional.empty();
        }
        return Optional.of(new Changed(new SchemaEvent(definition, statements.remove(table)), previous));
    }

    /** The definition of {@code table} sent last, or empty before its first change since the start. */
    public Optional<TableDefinition> definition(String table) {
        return Optional.ofNullable(lastDefinition.get(table));
    }

    /** A definition that changed: the event to send, and the definition sent before (null after a start). */
    public record Changed(SchemaEvent event, TableDefinition previous) {}

    /**
     * Remembers the DDL statement of a schema-change record (MariaDB, MySQL) for each managed table it names, to go
     * with that table's next definition. A record of anything else is left alone.
     */
    public void statement(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("ddl") == null
                || value.schema().field("tableChanges") == null) {
            return;
        }
        String ddl = value.getString("ddl");
        List<?> changes = value.getArray("tableChanges");
        if (ddl == null || changes == null) {
            return;
        }
        for (Object change : changes) {
            if (change instanceof Struct tableChange && tableChange.schema().field("id") != null) {
                String id = tableChange.getString("id");
                String name = id.substring(id.lastIndexOf('.') + 1).replace("\"", "").replace("`", "");
                if (topology.table(name).isPresent()) {
                    statements.merge(name, ddl.strip(), (earlier, later) -> earlier + "; " + later);
                }
            }
        }
    }

    private TableDefinition definition(String table, Schema row, Schema keySchema) {
        List<ColumnDefinition> columns = new ArrayList<>();
        for (Field field : row.fields()) {
            Schema column = field.schema();
            Map<String, String> parameters = column.parameters() == null ? Map.of() : column.parameters();
            String typeName = parameters.getOrDefault(TYPE, column.type().getName());
            ColumnType type = ColumnType.of(engine, typeName, integer(parameters.get(LENGTH)),
                    integer(parameters.get(SCALE)));
            Object defaultValue = column.defaultValue() == null ? null
                    : RecordConverter.value(column, column.defaultValue());
            columns.add(new ColumnDefinition(field.name(), type, column.isOptional(), defaultValue != null,
                    defaultValue));
        }
        List<String> key = keySchema != null && keySchema.type() == Schema.Type.STRUCT
                ? keySchema.fields().stream().map(Field::name).toList()
                : topology.table(table).map(TableSpec::primaryKey).orElse(List.of());
        return new TableDefinition(table, engine, columns, key);
    }

    private static Integer integer(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
