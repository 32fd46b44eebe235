package dev.shardflow.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.topology.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaEventTest {
    private static final TableDefinition USERS = new TableDefinition("users", Engine.POSTGRESQL, List.of(
            ColumnDefinition.of("id", ColumnType.of(Engine.POSTGRESQL, "int8", null, null), false),
            ColumnDefinition.of("email", ColumnType.of(Engine.POSTGRESQL, "varchar", 100, null), false)),
            List.of("id"));

    private static SchemaEvent throughTheEnvelope(SchemaEvent event) {
        ChangeEvent change = event.toChange("shop", new Source("pg1", new PostgresLsn(42), "7", 1L), 1);
        ChangeEvent read = EventJson.fromBytes(EventJson.toBytes(change));
        return SchemaEvent.of(read).orElseThrow();
    }

    @Test
    void aDefinitionWithItsStatementAndIndexesComesOutOfTheEnvelopeAsItWentIn() {
        SchemaEvent event = new SchemaEvent(USERS, "ALTER TABLE users ADD INDEX by_email (email)",
                List.of(new IndexDefinition("by_email", List.of("email"), true)));

        SchemaEvent read = throughTheEnvelope(event);

        assertThat(read.definition().digest()).isEqualTo(USERS.digest());
        assertThat(read.statement()).isEqualTo(event.statement());
        assertThat(read.indexes()).isEqualTo(event.indexes());
    }

    @Test
    void anEventWithoutIndexesSaysTheyAreNotKnownRatherThanNone() {
        assertThat(throughTheEnvelope(new SchemaEvent(USERS, null)).indexes()).isNull();
        assertThat(throughTheEnvelope(new SchemaEvent(USERS, null, List.of())).indexes()).isEmpty();
    }

    @Test
    void anIndexIsCoveredByOneOnTheSameColumnsThatIsAtLeastAsUnique() {
        IndexDefinition plain = new IndexDefinition("a", List.of("email", "id"), false);
        IndexDefinition unique = new IndexDefinition("b", List.of("email", "id"), true);

        assertThat(plain.coveredBy(unique)).isTrue();
        assertThat(unique.coveredBy(plain)).isFalse();
        assertThat(plain.coveredBy(new IndexDefinition("c", List.of("id", "email"), true))).isFalse();
    }
}
