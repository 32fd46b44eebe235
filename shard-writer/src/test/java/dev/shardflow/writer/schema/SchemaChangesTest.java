package dev.shardflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.ColumnType;
import dev.shardflow.core.schema.SchemaDiff;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.CatalogTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaChangesTest {
    private static final ColumnDefinition ID = ColumnDefinition.of("id",
            ColumnType.of(Engine.MARIADB, "BIGINT", null, null), false);
    private static final ColumnDefinition COUNTRY = ColumnDefinition.of("country",
            ColumnType.of(Engine.MARIADB, "CHAR", 2, null), true);

    private static TableDefinition users(Engine engine, ColumnDefinition... columns) {
        return new TableDefinition("users", engine, List.of(columns), List.of("id"));
    }

    @Test
    void aDroppedColumnIsMadeOnATargetThatNoLongerHasItAndHoldsOnOneThatStillDoes() {
        SchemaDiff dropped = SchemaDiff.between(users(Engine.MARIADB, ID, COUNTRY), users(Engine.MARIADB, ID));
        ColumnDefinition pgId = ColumnDefinition.of("id", ColumnType.of(Engine.POSTGRESQL, "int8", null, null), false);
        ColumnDefinition pgCountry = ColumnDefinition.of("country", ColumnType.of(Engine.POSTGRESQL, "bpchar", 2, null),
                true);

        assertThat(SchemaChanges.alreadyMade(dropped, new CatalogTable(users(Engine.POSTGRESQL, pgId), Map.of())))
                .isTrue();
        assertThat(SchemaChanges.alreadyMade(dropped, new CatalogTable(users(Engine.POSTGRESQL, pgId, pgCountry),
                Map.of()))).isFalse();
    }

    @Test
    void aChangedKeyIsNeverTakenAsMade() {
        SchemaDiff rekeyed = SchemaDiff.between(users(Engine.MARIADB, ID, COUNTRY),
                new TableDefinition("users", Engine.MARIADB, List.of(ID, COUNTRY), List.of("id", "country")));

        assertThat(SchemaChanges.alreadyMade(rekeyed, new CatalogTable(new TableDefinition("users", Engine.MARIADB,
                List.of(ID, COUNTRY), List.of("id", "country")), Map.of()))).isFalse();
    }
}
