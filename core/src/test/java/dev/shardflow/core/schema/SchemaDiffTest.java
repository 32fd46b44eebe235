package dev.shardflow.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.schema.SchemaDiff.Kind;
import dev.shardflow.core.topology.Engine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaDiffTest {
    private static final ColumnType BIGINT = ColumnType.of(Engine.POSTGRESQL, "int8", null, null);
    private static final ColumnType VARCHAR_50 = ColumnType.of(Engine.POSTGRESQL, "varchar", 50, null);

    private static TableDefinition users(ColumnDefinition... extra) {
        List<ColumnDefinition> columns = new ArrayList<>(List.of(ColumnDefinition.of("id", BIGINT, false),
                ColumnDefinition.of("username", VARCHAR_50, false)));
        columns.addAll(List.of(extra));
        return new TableDefinition("users", Engine.POSTGRESQL, columns, List.of("id"));
    }

    @Test
    void aNullableColumnAddedIsAdditive() {
        SchemaDiff diff = SchemaDiff.between(users(), users(ColumnDefinition.of("note",
                ColumnType.of(Engine.POSTGRESQL, "varchar", 200, null), true)));

        assertThat(diff.changes()).extracting(SchemaDiff.Change::kind).containsExactly(Kind.ADDED);
        assertThat(diff.additive()).isTrue();
        assertThat(diff.describe()).isEqualTo("column note added: note varchar(200) NULL");
    }

    @Test
    void aColumnAddedNotNullWithoutDefaultIsNotAdditiveButWithADefaultItIs() {
        ColumnType integer = ColumnType.of(Engine.MARIADB, "INT", 11, null);
        assertThat(SchemaDiff.between(users(), users(ColumnDefinition.of("points", integer, false))).additive())
                .isFalse();
        assertThat(SchemaDiff.between(users(), users(new ColumnDefinition("points", integer, false, true, 0L)))
                .additive()).isTrue();
    }

    @Test
    void aDroppedColumnAndARenamedOneAreNotAdditive() {
        TableDefinition withNote = users(ColumnDefinition.of("note", VARCHAR_50, true));
        SchemaDiff dropped = SchemaDiff.between(withNote, users());
        SchemaDiff renamed = SchemaDiff.between(withNote, users(ColumnDefinition.of("remark", VARCHAR_50, true)));

        assertThat(dropped.unsafe()).extracting(SchemaDiff.Change::kind).containsExactly(Kind.DROPPED);
        assertThat(renamed.changes()).extracting(SchemaDiff.Change::kind).containsExactly(Kind.DROPPED, Kind.ADDED);
        assertThat(renamed.additive()).isFalse();
        assertThat(renamed.describe()).startsWith("column note dropped or renamed");
    }

    @Test
    void wideningIsAdditiveAndNarrowingIsNot() {
        TableDefinition wide = new TableDefinition("users", Engine.POSTGRESQL, List.of(ColumnDefinition.of("id",
                BIGINT, false), ColumnDefinition.of("username", ColumnType.of(Engine.POSTGRESQL, "varchar", 200,
                null), false)), List.of("id"));

        assertThat(SchemaDiff.between(users(), wide).changes()).extracting(SchemaDiff.Change::kind)
                .containsExactly(Kind.WIDENED);
        assertThat(SchemaDiff.between(wide, users()).changes()).extracting(SchemaDiff.Change::kind)
                .containsExactly(Kind.NARROWED);
    }

    @Test
    void theKeyChangedAndNotNullAddedAreNotAdditive() {
        TableDefinition rekeyed = new TableDefinition("users", Engine.POSTGRESQL, users().columns(),
                List.of("id", "username"));
        TableDefinition nullable = new TableDefinition("users", Engine.POSTGRESQL, List.of(ColumnDefinition.of("id",
                BIGINT, false), ColumnDefinition.of("username", VARCHAR_50, true)), List.of("id"));

        assertThat(SchemaDiff.between(users(), rekeyed).unsafe()).extracting(SchemaDiff.Change::kind)
                .containsExactly(Kind.KEY_CHANGED);
        assertThat(SchemaDiff.between(users(), nullable).additive()).isTrue();
        assertThat(SchemaDiff.between(nullable, users()).unsafe()).extracting(SchemaDiff.Change::kind)
                .containsExactly(Kind.NULL_REFUSED);
    }

    @Test
    void missingNamesTheColumnsATargetLacks() {
        TableDefinition target = users();
        TableDefinition source = users(ColumnDefinition.of("note", VARCHAR_50, true));

        assertThat(SchemaDiff.missing(source, target).changes()).extracting(SchemaDiff.Change::column)
                .containsExactly("note");
        assertThat(SchemaDiff.missing(target, target).isEmpty()).isTrue();
    }

    @Test
    void aSchemaEventTravelsAsAChangeEventAndReadsBackEqual() {
        TableDefinition definition = users(new ColumnDefinition("points",
                ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 2), true, true, new java.math.BigDecimal("1.50")));
        ChangeEvent change = new SchemaEvent(definition, null).toChange("shop",
                new Source("pg1", new PostgresLsn(42), null, 0), 3);

        ChangeEvent read = EventJson.fromBytes(EventJson.toBytes(change));

        assertThat(read.isSchema()).isTrue();
        assertThat(read.isMarker()).isTrue();
        assertThat(read.key()).containsEntry("table", "users").containsEntry("digest", definition.digest());
        TableDefinition back = SchemaEvent.of(read).orElseThrow().definition();
        assertThat(back.columns()).extracting(ColumnDefinition::name).containsExactly("id", "username", "points");
        assertThat(back.column("points").orElseThrow().type().sameAs(definition.column("points").orElseThrow().type()))
                .isTrue();
        assertThat(back.digest()).isEqualTo(definition.digest());
    }

    @Test
    void aSchemaEventWithoutADefinitionIsRefusedByName() {
        ChangeEvent broken = new ChangeEvent("shop", "_shardflow_schema", dev.shardflow.core.event.Op.CREATE,
                java.util.Map.of("table", "users"), null, java.util.Map.of("table", "users"), null,
                new Source("pg1", new PostgresLsn(1), null, 0), 0);

        assertThatThrownBy(() -> SchemaEvent.of(broken)).hasMessageContaining("has no definition");
    }
}
