package dev.shardflow.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.schema.ColumnType.Kind;
import dev.shardflow.core.topology.Engine;
import org.junit.jupiter.api.Test;

class ColumnTypeTest {

    @Test
    void postgresqlAndMariadbNamesOfOneTypeAreTheSame() {
        assertThat(ColumnType.of(Engine.POSTGRESQL, "int8", null, null)
                .sameAs(ColumnType.of(Engine.MARIADB, "BIGINT", 20, null))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "varchar", 50, null)
                .sameAs(ColumnType.of(Engine.MARIADB, "VARCHAR", 50, null))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 2)
                .sameAs(ColumnType.of(Engine.MARIADB, "DECIMAL", 10, 2))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "timestamp", 3, null)
                .sameAs(ColumnType.of(Engine.MARIADB, "DATETIME", null, 3))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "timestamptz", null, 6)
                .sameAs(ColumnType.of(Engine.MARIADB, "TIMESTAMP", null, 6))).isTrue();
        assertThat(ColumnType.of(Engine.MARIADB, "TINYINT", 1, null).kind()).isEqualTo(Kind.BOOLEAN);
    }

    @Test
    void holdsSaysWhetherEveryValueFits() {
        ColumnType int4 = ColumnType.of(Engine.POSTGRESQL, "int4", null, null);
        ColumnType int8 = ColumnType.of(Engine.POSTGRESQL, "int8", null, null);
        ColumnType text = ColumnType.of(Engine.POSTGRESQL, "text", null, null);
        ColumnType varchar = ColumnType.of(Engine.POSTGRESQL, "varchar", 100, null);

        assertThat(int8.holds(int4)).isTrue();
        assertThat(int4.holds(int8)).isFalse();
        assertThat(text.holds(varchar)).isTrue();
        assertThat(varchar.holds(text)).isFalse();
        assertThat(ColumnType.of(Engine.MARIADB, "INT UNSIGNED", 10, null).holds(int4)).isFalse();
        assertThat(int8.holds(ColumnType.of(Engine.MARIADB, "INT UNSIGNED", 10, null))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "numeric", 12, 2)
                .holds(ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 2))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "numeric", 12, 4)
                .holds(ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 2))).isTrue();
        assertThat(ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 4)
                .holds(ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 2))).isFalse();
        assertThat(varchar.holds(int4)).isFalse();
    }

    @Test
    void anUnconstrainedPostgresqlNumericIsTheSameWhetherTheSnapshotOrTheLogDescribesIt() {
        // the snapshot reads no precision from the catalog; the log's relation message gives 131089
        ColumnType fromCatalog = ColumnType.of(Engine.POSTGRESQL, "numeric", null, null);
        ColumnType fromLog = ColumnType.of(Engine.POSTGRESQL, "numeric", 131_089, 0);

        assertThat(fromLog.sameAs(fromCatalog)).isTrue();
        assertThat(SchemaDiff.between(table(fromCatalog), table(fromLog)).isEmpty()).isTrue();
    }

    private static TableDefinition table(ColumnType ratio) {
        return new TableDefinition("samples", Engine.POSTGRESQL, java.util.List.of(ColumnDefinition.of("ratio", ratio,
                true)), java.util.List.of());
    }

    @Test
    void aTypeIsDeclaredInTheOtherEngine() {
        assertThat(ColumnType.of(Engine.POSTGRESQL, "varchar", 200, null).sql(Engine.MARIADB, Engine.POSTGRESQL))
                .isEqualTo("VARCHAR(200)");
        assertThat(ColumnType.of(Engine.POSTGRESQL, "text", null, null).sql(Engine.MARIADB, Engine.POSTGRESQL))
                .isEqualTo("LONGTEXT");
        assertThat(ColumnType.of(Engine.MARIADB, "DATETIME", null, 3).sql(Engine.POSTGRESQL, Engine.MARIADB))
                .isEqualTo("TIMESTAMP(3)");
        assertThat(ColumnType.of(Engine.MARIADB, "BIGINT UNSIGNED", 20, null).sql(Engine.POSTGRESQL, Engine.MARIADB))
                .isEqualTo("NUMERIC(20,0)");
        assertThat(ColumnType.of(Engine.POSTGRESQL, "numeric", 10, 2).sql(Engine.MARIADB, Engine.POSTGRESQL))
                .isEqualTo("DECIMAL(10,2)");
        assertThat(ColumnType.of(Engine.MARIADB, "MEDIUMINT", 9, null).sql(Engine.POSTGRESQL, Engine.MARIADB))
                .isEqualTo("INTEGER");
        assertThat(ColumnType.of(Engine.POSTGRESQL, "timestamptz", null, 6).sql(Engine.MARIADB, Engine.POSTGRESQL))
                .isEqualTo("TIMESTAMP(6)");
    }

    @Test
    void aTypeOnlyOneEngineKnowsIsNotTranslated() {
        ColumnType inet = ColumnType.of(Engine.POSTGRESQL, "inet", null, null);

        assertThat(inet.sql(Engine.POSTGRESQL, Engine.POSTGRESQL)).isEqualTo("INET");
        assertThatThrownBy(() -> inet.sql(Engine.MARIADB, Engine.POSTGRESQL))
                .hasMessage("type inet of postgresql has no mariadb counterpart shardflow knows");
    }
}
