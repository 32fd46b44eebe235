package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.ChangeTopicReader.Entry;
import dev.shardflow.core.schema.ColumnDefinition;
import dev.shardflow.core.schema.ColumnType;
import dev.shardflow.core.schema.SchemaDiff;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A change of a managed table's definition becomes a schema event in every partition of the table's change topic,
 * ahead of the first row that has the new definition: on PostgreSQL, whose log holds no DDL, from the rows alone; on
 * MariaDB with the statement that made it. The first row of each table after a start brings its definition too.
 */
class SchemaEventCaptureIT {
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void aColumnAddedAndATypeWidenedArriveAsSchemaEventsAheadOfTheRowsThatHaveThem(Engine engine) {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine() == engine).findFirst().orElseThrow();
        SampleSchema.applyTo(shard);
        shard.execute(insertUser(1));
        Topology topology = ShopTopology.of(List.of(shard));
        String topic = topology.topicPrefix() + ".cdc.users";

        try (CaptureService capture = new CaptureService(CaptureOptions.defaults(topology,
                testbed.kafka().bootstrapServers())).start();
                ChangeTopicReader reader = new ChangeTopicReader(testbed.kafka().bootstrapServers(), List.of(topic))) {
            await("the snapshot's user 1").atMost(Duration.ofSeconds(120))
                    .until(() -> rowsOf(reader.poll(), shard).contains(1L));
            int partitions = reader.partitions(topic);
            await("the definition of users in each of the " + partitions + " partitions").atMost(Duration.ofSeconds(30))
                    .until(() -> definitions(reader.poll(), shard).size() == partitions);
            List<TableDefinition> first = definitions(reader.poll(), shard);
            assertThat(first).allSatisfy(d -> assertThat(d).isEqualTo(first.get(0)));
            TableDefinition initial = first.get(0);
            assertThat(initial.engine()).isEqualTo(engine);
            assertThat(initial.primaryKey()).containsExactly("id");
            assertThat(initial.columns()).extracting(ColumnDefinition::name)
                    .containsExactly("id", "username", "email", "country", "created_at", "version");
            assertThat(initial.column("username").orElseThrow().type()
                    .sameAs(ColumnType.of(Engine.POSTGRESQL, "varchar", 50, null))).isTrue();
            assertThat(initial.column("username").orElseThrow().nullable()).isFalse();

            shard.execute(insertUser(2), "ALTER TABLE users ADD COLUMN note VARCHAR(200) NULL",
                    engine == Engine.POSTGRESQL ? "ALTER TABLE users ALTER COLUMN email TYPE VARCHAR(300)"
                            : "ALTER TABLE users MODIFY email VARCHAR(300) NOT NULL",
                    "INSERT INTO users (id, username, email, country, created_at, version, note) VALUES "
                            + "(3, 'u3', '" + "e".repeat(250) + "', 'DE', '2026-01-01 00:00:00', 1, 'hello')");

            await("the new definition in every partition, then user 3").atMost(Duration.ofSeconds(60))
                    .until(() -> rowsOf(reader.poll(), shard).contains(3L)
                            && definitions(reader.poll(), shard).size() >= 2 * partitions);
            List<Entry> entries = reader.poll();
            TableDefinition changed = definitions(entries, shard).get(definitions(entries, shard).size() - 1);
            SchemaDiff diff = SchemaDiff.between(initial, changed);
            assertThat(diff.changes()).extracting(SchemaDiff.Change::kind)
                    .containsExactlyInAnyOrder(SchemaDiff.Kind.WIDENED, SchemaDiff.Kind.ADDED);
            assertThat(diff.additive()).isTrue();
            Map<Integer, List<Entry>> byPartition = entries.stream().filter(e -> e.event() != null
                            && e.event().source().shard().equals(shard.id()))
                    .collect(Collectors.groupingBy(Entry::partition));
            assertThat(byPartition.keySet()).hasSize(partitions);
            byPartition.forEach((partition, inOrder) -> {
                int schemaAt = indexOf(inOrder, e -> e.event().isSchema()
                        && SchemaEvent.of(e.event()).orElseThrow().definition().equals(changed));
                assertThat(schemaAt).as("partition %d holds the new definition", partition).isNotNegative();
                inOrder.stream().filter(e -> !e.event().isMarker() && e.event().after() != null
                                && e.event().after().containsKey("note"))
                        .forEach(row -> assertThat(inOrder.indexOf(row)).as("a row with note comes after the "
                                + "definition that has it").isGreaterThan(schemaAt));
            });
            if (engine == Engine.MARIADB) {
                assertThat(entries).filteredOn(e -> e.event() != null && e.event().isSchema())
                        .extracting(e -> SchemaEvent.of(e.event()).orElseThrow().statement())
                        .anySatisfy(statement -> assertThat(statement).contains("MODIFY email VARCHAR(300)"));
            }
            assertThat(capture.shard(shard.id()).state()).isEqualTo(ShardCapture.State.RUNNING);
        }
    }

    private static int indexOf(List<Entry> entries, java.util.function.Predicate<Entry> test) {
        for (int i = 0; i < entries.size(); i++) {
            if (test.test(entries.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static List<TableDefinition> definitions(List<Entry> entries, DatabaseShard shard) {
        return entries.stream().filter(e -> e.event() != null && e.event().isSchema()
                        && e.event().source().shard().equals(shard.id()))
                .map(e -> SchemaEvent.of(e.event()).orElseThrow().definition()).toList();
    }

    private static List<Long> rowsOf(List<Entry> entries, DatabaseShard shard) {
        return entries.stream().filter(e -> e.event() != null && !e.event().isMarker() && e.event().after() != null
                        && e.event().source().shard().equals(shard.id()))
                .map(e -> ((Number) e.event().after().get("id")).longValue()).toList();
    }

    private static String insertUser(long id) {
        return "INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + id + ", 'u" + id
                + "', 'u" + id + "@example.com', 'DE', '2026-01-01 00:00:00', 1)";
    }
}
