package dev.shardflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.schema.IndexDefinition;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.CatalogIndexes;
import dev.shardflow.jdbc.CatalogTable;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The writer makes a source's indexes on its target once per index list: the copies of one definition that every
 * partition carries do not read the target's catalog again, and a list that changed, or one whose columns were
 * missing, does.
 */
class SchemaIndexesIT {
    private static final IndexDefinition BY_EMAIL = new IndexDefinition("by_email", List.of("email"), false);
    private static final IndexDefinition BY_COUNTRY = new IndexDefinition("by_country", List.of("country"), false);
    private static final IndexDefinition LATER_BY_EMAIL = new IndexDefinition("later_by_email", List.of("email"),
            false);
    private static final IndexDefinition LATER_BY_NOTE = new IndexDefinition("later_by_note", List.of("note"), false);

    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().postgresShards(1).mariadbShards(1).start();
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    private static DatabaseShard shard(Engine engine) {
        return testbed.shards().stream().filter(s -> s.engine() == engine).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void anIndexListIsReadFromTheCatalogOnceItChangesAndNotForEveryCopy(Engine engine) throws SQLException {
        DatabaseShard target = shard(engine);
        target.execute("CREATE TABLE idx_copies (id BIGINT PRIMARY KEY, email VARCHAR(100), country CHAR(2))");
        SchemaIndexes indexes = new SchemaIndexes(target.id(), engine, new SchemaStatements(engine));
        try (Connection connection = target.connect()) {
            SchemaEvent first = event(connection, engine, "idx_copies", List.of(BY_EMAIL));
            indexes.make(connection, "maria9", first);
            assertThat(names(connection, "idx_copies")).containsExactly("by_email");

            // gone behind the writer's back: a copy of the same list is settled already and reads nothing
            target.execute(dropIndex(engine, "by_email", "idx_copies"));
            indexes.make(connection, "maria9", first);
            assertThat(names(connection, "idx_copies")).isEmpty();

            indexes.make(connection, "maria9", first.withIndexes(List.of(BY_EMAIL, BY_COUNTRY)));
            assertThat(names(connection, "idx_copies")).containsExactlyInAnyOrder("by_email", "by_country");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void anIndexWhoseColumnsAreMissingIsTriedAgainOnceTheyArrive(Engine engine) throws SQLException {
        DatabaseShard target = shard(engine);
        target.execute("CREATE TABLE idx_later (id BIGINT PRIMARY KEY, email VARCHAR(100))");
        SchemaIndexes indexes = new SchemaIndexes(target.id(), engine, new SchemaStatements(engine));
        try (Connection connection = target.connect()) {
            SchemaEvent event = event(connection, engine, "idx_later", List.of(LATER_BY_EMAIL, LATER_BY_NOTE));
            indexes.make(connection, "maria9", event);
            assertThat(names(connection, "idx_later")).containsExactly("later_by_email");

            target.execute("ALTER TABLE idx_later ADD COLUMN note VARCHAR(40) NULL");
            indexes.make(connection, "maria9", event);
            assertThat(names(connection, "idx_later")).containsExactlyInAnyOrder("later_by_email", "later_by_note");
        }
    }

    private static SchemaEvent event(Connection connection, Engine engine, String table, List<IndexDefinition> list)
            throws SQLException {
        CatalogTable present = CatalogTable.read(connection, engine, table).orElseThrow();
        connection.setAutoCommit(false);
        return new SchemaEvent(present.definition(), null, list);
    }

    private static List<String> names(Connection connection, String table) throws SQLException {
        List<String> names = CatalogIndexes.read(connection, table).stream().map(IndexDefinition::name).toList();
        connection.commit();
        return names;
    }

    private static String dropIndex(Engine engine, String index, String table) {
        return engine == Engine.POSTGRESQL ? "DROP INDEX " + index : "DROP INDEX " + index + " ON " + table;
    }
}
