package dev.shardflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.ColumnType;
import dev.shardflow.core.schema.IndexDefinition;
import dev.shardflow.core.schema.SchemaDiff;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.CatalogTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaStatementsTest {
    private static final ColumnType BIGINT = ColumnType.of(Engine.POSTGRESQL, "int8", null, null);

    private static TableDefinition users(Engine engine, ColumnDefinition... columns) {
        List<ColumnDefinition> all = new ArrayList<>(List.of(ColumnDefinition.of("id", BIGINT, false)));
        all.addAll(List.of(columns));
        return new TableDefinition("users", engine, all, List.of("id"));
    }

    private static ColumnDefinition email(Engine engine, int length) {
        return ColumnDefinition.of("email", ColumnType.of(engine, "varchar", length, null), false);
    }

    @Test
    void aColumnAddedOnPostgresqlIsAddedOnMariadbInItsTypes() {
        ColumnDefinition note = new ColumnDefinition("note", ColumnType.of(Engine.POSTGRESQL, "varchar", 200, null),
                true, true, "it's new");
        SchemaDiff diff = SchemaDiff.between(users(Engine.POSTGRESQL), users(Engine.POSTGRESQL, note));
        CatalogTable target = new CatalogTable(users(Engine.MARIADB), Map.of());

        assertThat(new SchemaStatements(Engine.MARIADB).statements(diff, Engine.POSTGRESQL, target))
                .containsExactly("ALTER TABLE `users` ADD COLUMN `note` VARCHAR(200) NULL DEFAULT 'it''s new'");
    }

    @Test
    void aTypeWidenedOnMariadbIsWidenedOnPostgresqlAndOnMariadbRestatesTheColumn() {
        SchemaDiff diff = SchemaDiff.between(users(Engine.MARIADB, email(Engine.MARIADB, 100)),
                users(Engine.MARIADB, email(Engine.MARIADB, 300)));

        assertThat(new SchemaStatements(Engine.POSTGRESQL).statements(diff, Engine.MARIADB,
                new CatalogTable(users(Engine.POSTGRESQL, email(Engine.POSTGRESQL, 100)), Map.of())))
                .containsExactly("ALTER TABLE \"users\" ALTER COLUMN \"email\" TYPE VARCHAR(300)");
        assertThat(new SchemaStatements(Engine.MARIADB).statements(diff, Engine.MARIADB,
                new CatalogTable(users(Engine.MARIADB, email(Engine.MARIADB, 100)), Map.of("email", "'x'"))))
                .containsExactly("ALTER TABLE `users` MODIFY COLUMN `email` VARCHAR(300) NOT NULL DEFAULT 'x'");
    }

    @Test
    void whatATargetAlreadyHasGivesNoStatement() {
        ColumnDefinition note = ColumnDefinition.of("note", ColumnType.of(Engine.POSTGRESQL, "text", null, null), true);
        SchemaDiff diff = SchemaDiff.between(users(Engine.POSTGRESQL, email(Engine.POSTGRESQL, 100)),
                users(Engine.POSTGRESQL, email(Engine.POSTGRESQL, 300), note));
        CatalogTable done = new CatalogTable(users(Engine.POSTGRESQL, email(Engine.POSTGRESQL, 500), note),
                Map.of());

        assertThat(new SchemaStatements(Engine.POSTGRESQL).statements(diff, Engine.POSTGRESQL, done)).isEmpty();
    }

    @Test
    void anIndexIsMadeWithoutBlockingWritesInEachEnginesWords() {
        IndexDefinition byEmail = new IndexDefinition("users_email", List.of("email", "id"), true);

        assertThat(new SchemaStatements(Engine.POSTGRESQL).createIndex("users", byEmail, true))
                .isEqualTo("CREATE UNIQUE INDEX CONCURRENTLY \"users_email\" ON \"users\" (\"email\", \"id\")");
        assertThat(new SchemaStatements(Engine.POSTGRESQL).createIndex("users", byEmail, false))
                .isEqualTo("CREATE UNIQUE INDEX \"users_email\" ON \"users\" (\"email\", \"id\")");
        assertThat(new SchemaStatements(Engine.MARIADB).createIndex("users", new IndexDefinition("by_country",
                List.of("country"), false), true))
                .isEqualTo("ALTER TABLE `users` ADD INDEX `by_country` (`country`), ALGORITHM=INPLACE, LOCK=NONE");
    }

    @Test
    void aWideningTheTargetCannotTakeIsRefusedWithItsReason() {
        SchemaDiff diff = SchemaDiff.between(users(Engine.POSTGRESQL, email(Engine.POSTGRESQL, 100)),
                users(Engine.POSTGRESQL, email(Engine.POSTGRESQL, 300)));
        CatalogTable blob = new CatalogTable(users(Engine.MARIADB, ColumnDefinition.of("email",
                ColumnType.of(Engine.MARIADB, "BLOB", null, null), false)), Map.of());

        assertThatThrownBy(() -> new SchemaStatements(Engine.MARIADB).statements(diff, Engine.POSTGRESQL, blob))
                .isInstanceOf(SchemaStatements.Unfit.class).hasMessageContaining("of another kind");
    }
}
