package dev.shardflow.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.topology.Engine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchemaComparisonTest {

    private static TableDefinition users(Engine engine, int emailLength, boolean note) {
        List<ColumnDefinition> columns = new java.util.ArrayList<>(List.of(
                ColumnDefinition.of("id", ColumnType.of(engine, engine == Engine.POSTGRESQL ? "int8" : "BIGINT", null,
                        null), false),
                ColumnDefinition.of("email", ColumnType.of(engine, "varchar", emailLength, null), false),
                ColumnDefinition.of("created_at", ColumnType.of(engine, engine == Engine.POSTGRESQL ? "timestamp"
                        : "DATETIME", null, 3), false)));
        if (note) {
            columns.add(ColumnDefinition.of("note", ColumnType.of(engine, "text", null, null), true));
        }
        return new TableDefinition("users", engine, columns, List.of("id"));
    }

    @Test
    void theSameTableOnBothEnginesDiffersInNothing() {
        Map<String, Optional<TableDefinition>> shards = new LinkedHashMap<>();
        shards.put("pg1", Optional.of(users(Engine.POSTGRESQL, 100, false)));
        shards.put("maria1", Optional.of(users(Engine.MARIADB, 100, false)));

        assertThat(SchemaComparison.of("users", shards).differences()).isEmpty();
    }

    @Test
    void eachDifferenceNamesTheShardsOnEachSide() {
        Map<String, Optional<TableDefinition>> shards = new LinkedHashMap<>();
        shards.put("pg1", Optional.of(users(Engine.POSTGRESQL, 300, true)));
        shards.put("maria1", Optional.of(users(Engine.MARIADB, 300, true)));
        shards.put("pg2", Optional.of(users(Engine.POSTGRESQL, 100, false)));
        shards.put("maria2", Optional.empty());

        SchemaComparison comparison = SchemaComparison.of("users", shards);

        assertThat(comparison.differences()).extracting(SchemaComparison.Difference::describe).containsExactly(
                "users: missing on maria2; present on pg1, maria1, pg2",
                "users.email: varchar(100) on pg2; varchar(300) on pg1, maria1",
                "users.note: missing on pg2; present on pg1, maria1");
        assertThat(comparison.inColumns()).extracting(SchemaComparison.Difference::kind)
                .containsExactly(SchemaComparison.Kind.TABLE_MISSING, SchemaComparison.Kind.COLUMN_MISSING);
    }
}
