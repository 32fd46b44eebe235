package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.RowSetChecksum;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant 2 on real servers: a topic of 100,000 mixed changes applied once, twice more from offset 0, and once
 * more shuffled with duplicates and older versions, leaves every table of a PostgreSQL and of a MariaDB target
 * with the same checksum each time — the checksum of the rows the history ends with.
 */
class ApplyConvergenceIT {
    private static final int CHANGES = 100_000;
    private static Testbed testbed;
    private static Topology topology;
    private static ChangeScript script;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
        script = new ChangeScript(42, 6_000).append(CHANGES, (long) (CHANGES * 0.7));
        topics = new ApplyTopics(testbed.kafka());
        List<ChangeEvent> shuffled = script.shuffledWithDuplicates(7);
        for (DatabaseShard shard : testbed.shards()) {
            topics.create(ordered(shard), 6);
            topics.create(shuffled(shard), 6);
            topics.send(ordered(shard), script.events());
            topics.send(shuffled(shard), shuffled);
        }
    }

    @AfterAll
    static void stop() {
        if (topics != null) {
            topics.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    static Stream<String> shards() {
        return Stream.of("pg1", "maria1");
    }

    private static String ordered(DatabaseShard shard) {
        return "sf.shop.apply." + shard.id();
    }

    private static String shuffled(DatabaseShard shard) {
        return "sf.shop.apply." + shard.id() + ".shuffled";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shards")
    void applyingTheTopicAgainOrShuffledWithOlderVersionsLeavesTheSameChecksum(String engineShard) throws Exception {
        DatabaseShard shard = engineShard.startsWith("pg") ? testbed.postgres().get(0) : testbed.mariadb().get(0);
        Map<String, RowSetChecksum> expected = new HashMap<>();
        for (String table : ChangeScript.TABLES) {
            expected.put(table, TableChecksum.of(script.expected(table).values()));
        }
        assertThat(expected.get("users").rows()).isGreaterThan(1_000);

        for (int pass = 1; pass <= 3; pass++) {
            applyAll(shard, ordered(shard), "pass-" + pass);
            assertTablesMatch(shard, expected, "pass " + pass + " from offset 0");
        }
        applyAll(shard, shuffled(shard), "shuffled");
        assertTablesMatch(shard, expected, "shuffled with duplicates and older versions");
    }

    private static void applyAll(DatabaseShard shard, String topic, String run) {
        String group = "writer-it-" + shard.id() + "-" + run;
        WriterOptions options = WriterOptions.defaults(topology, shard.id(), testbed.kafka().bootstrapServers())
                .withTopics(List.of(topic)).withGroupId(group).withLogIntervalMs(2_000);
        long started = System.nanoTime();
        try (WriterService writer = new WriterService(options).start()) {
            await(run + " applied").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> topics.caughtUp(group, topic));
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("%s %s: %d rows written in %.1f s (%.0f changes/s), %d dead letters%n", shard.id(), run,
                    writer.meters().rowsWritten(), seconds, CHANGES / seconds, writer.meters().deadLettered());
            assertThat(writer.meters().deadLettered()).isZero();
        }
    }

    private static void assertTablesMatch(DatabaseShard shard, Map<String, RowSetChecksum> expected, String when) {
        for (String table : ChangeScript.TABLES) {
            Map<Long, Map<String, Object>> actual = TableChecksum.read(shard, table);
            RowSetChecksum checksum = TableChecksum.of(actual.values());
            if (!checksum.equals(expected.get(table))) {
                Map<Long, Map<String, Object>> want = script.expected(table);
                List<String> differences = want.keySet().stream().filter(id -> !actual.containsKey(id)
                        || dev.shardflow.core.event.CanonicalRow.hash(actual.get(id))
                                != dev.shardflow.core.event.CanonicalRow.hash(want.get(id)))
                        .limit(5).map(id -> id + ": want " + want.get(id) + ", have " + actual.get(id)).toList();
                List<Long> extra = actual.keySet().stream().filter(id -> !want.containsKey(id)).limit(5).toList();
                throw new AssertionError(shard.id() + " " + table + " after " + when + ": checksum " + checksum
                        + " but the history ends with " + expected.get(table) + "; differing rows " + differences
                        + "; rows that should be deleted " + extra);
            }
        }
    }
}
