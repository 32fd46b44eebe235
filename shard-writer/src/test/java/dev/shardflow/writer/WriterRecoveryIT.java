package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.retry.Backoff;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.writer.jdbc.TargetSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariants 1 and 4 for writers on real servers: a target database stopped for 10 s in the middle of a run, and a
 * writer process SIGKILLed in the middle of its batches and started again. Afterwards every table holds exactly the
 * rows the change history ends with: nothing acknowledged by Kafka is missing, nothing went back to an older version.
 */
class WriterRecoveryIT {
    private static Testbed testbed;
    private static Topology topology;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
        topics = new ApplyTopics(testbed.kafka());
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

    /** Each test starts from empty tables: versions a previous test left would rightly win over this test's. */
    @BeforeEach
    void emptyTargets() throws java.sql.SQLException {
        for (DatabaseShard shard : testbed.shards()) {
            try (java.sql.Connection connection = shard.connect()) {
                new TargetSchema(SqlDialect.of(shard.engine())).prepare(connection, ChangeScript.TABLES,
                        java.util.Set.of(), java.util.Map.of(), true);
            }
            shard.execute("DELETE FROM users", "DELETE FROM orders", "DELETE FROM order_items",
                    "DELETE FROM _shardflow_tombstone");
        }
    }

    @Test
    void aTargetStoppedForTenSecondsIsWaitedOutAndNothingIsLost() throws Exception {
        ChangeScript script = new ChangeScript(11, 3_000).append(45_000, 30_000);
        List<ChangeEvent> events = script.events();
        List<WriterService> writers = new ArrayList<>();
        Map<DatabaseShard, String> topicOf = new HashMap<>();
        try {
            for (DatabaseShard shard : testbed.shards()) {
                String topic = "sf.shop.apply." + shard.id() + ".outage";
                topicOf.put(shard, topic);
                topics.create(topic, 6);
                topics.send(topic, events.subList(0, 15_000));
                writers.add(new WriterService(WriterOptions.defaults(topology, shard.id(),
                        testbed.kafka().bootstrapServers()).withTopics(List.of(topic)).withGroupId("outage-" + shard.id())
                        .withBackoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)))).start());
            }
            await("the writers applying").atMost(Duration.ofSeconds(60))
                    .until(() -> writers.stream().allMatch(w -> w.meters().rowsWritten() > 0));

            testbed.shards().forEach(DatabaseShard::stop);
            topicOf.forEach((shard, topic) -> topics.send(topic, events.subList(15_000, 30_000)));
            Thread.sleep(10_000); // the outage itself: both targets stay down for 10 s while changes keep coming
            testbed.shards().forEach(DatabaseShard::restart);
            topicOf.forEach((shard, topic) -> topics.send(topic, events.subList(30_000, events.size())));

            for (Map.Entry<DatabaseShard, String> entry : topicOf.entrySet()) {
                String group = "outage-" + entry.getKey().id();
                await(entry.getKey().id() + " caught up after the outage").atMost(Duration.ofMinutes(2))
                        .until(() -> topics.caughtUp(group, entry.getValue()));
            }
            for (WriterService writer : writers) {
                assertThat(writer.meters().retries()).as("batches retried while the target was down").isPositive();
                assertThat(writer.meters().deadLettered()).isZero();
            }
        } finally {
            writers.forEach(WriterService::close);
        }
        for (DatabaseShard shard : testbed.shards()) {
            assertEndsWith(shard, script, "after a 10 s outage");
        }
    }

    @Test
    void aWriterProcessKilledMidBatchResumesWithNothingLostOrRegressed() throws Exception {
        ChangeScript script = new ChangeScript(23, 4_000).append(80_000, 50_000);
        List<ChangeEvent> events = script.events();
        Path dir = Scratch.newDirectory("writer-kill");
        ShopTopology.writeYaml(topology, dir);
        Map<DatabaseShard, Path> configs = new HashMap<>();
        for (DatabaseShard shard : testbed.shards()) {
            String topic = "sf.shop.apply." + shard.id() + ".kill";
            topics.create(topic, 6);
            Path config = dir.resolve("writer-" + shard.id() + ".yaml");
            Files.writeString(config, """
                    topology: topology.yaml
                    shard: %s
                    kafka:
                      bootstrapServers: %s
                      topics: %s
                      sessionTimeoutMs: 6000
                    batch:
                      maxRows: 2000
                    logIntervalMs: 1000
                    http:
                      port: 0
                    """.formatted(shard.id(), testbed.kafka().bootstrapServers(), topic));
            configs.put(shard, config);
        }
        List<Process> first = new ArrayList<>();
        List<Process> second = new ArrayList<>();
        try {
            configs.forEach((shard, config) -> first.add(startWriterProcess(config, "first")));
            // Changes keep arriving while the writers apply them, so that the kill lands inside a batch.
            for (int from = 0; from < 50_000; from += 5_000) {
                int start = from;
                configs.keySet().forEach(s -> topics.send("sf.shop.apply." + s.id() + ".kill",
                        events.subList(start, start + 5_000)));
            }
            Map<DatabaseShard, String> groups = new HashMap<>();
            configs.keySet().forEach(s -> groups.put(s, "shardflow-writer-shop-" + s.id()));
            await("both writers committed some batches").atMost(Duration.ofSeconds(90))
                    .failFast("a writer process ended; its log: " + dir, () -> first.stream().anyMatch(p -> {
                        if (p.isAlive()) {
                            return false;
                        }
                        logsOf(dir).forEach(System.out::println);
                        return true;
                    }))
                    .until(() -> groups.entrySet().stream().allMatch(g -> committedSome(g.getValue(),
                            "sf.shop.apply." + g.getKey().id() + ".kill")));
            first.forEach(p -> p.toHandle().destroyForcibly()); // SIGKILL: no rollback, no offset commit
            for (Process p : first) {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            configs.keySet().forEach(s -> topics.send("sf.shop.apply." + s.id() + ".kill",
                    events.subList(50_000, events.size())));
            configs.forEach((shard, config) -> second.add(startWriterProcess(config, "second")));
            for (DatabaseShard shard : configs.keySet()) {
                await(shard.id() + " caught up after the restart").atMost(Duration.ofMinutes(2))
                        .failFast(() -> second.stream().anyMatch(p -> !p.isAlive()))
                        .until(() -> topics.caughtUp(groups.get(shard), "sf.shop.apply." + shard.id() + ".kill"));
            }
        } finally {
            first.forEach(p -> p.toHandle().destroyForcibly());
            second.forEach(p -> p.toHandle().destroyForcibly());
        }
        for (DatabaseShard shard : testbed.shards()) {
            assertEndsWith(shard, script, "after a SIGKILL of the writer");
        }
    }

    private static boolean committedSome(String group, String topic) {
        try {
            return !topics.caughtUp(group, topic) && topics.committed(group, topic) > 2_000;
        } catch (Exception e) {
            return false;
        }
    }

    /** The last lines of every writer process log in {@code dir}, for a process that ended too soon. */
    private static List<String> logsOf(Path dir) {
        List<String> lines = new ArrayList<>();
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                List<String> all = Files.readAllLines(log);
                lines.add("== " + log.getFileName());
                lines.addAll(all.subList(Math.max(0, all.size() - 20), all.size()));
            }
        } catch (java.io.IOException e) {
            lines.add("cannot read the logs in " + dir + ": " + e.getMessage());
        }
        return lines;
    }

    private static Process startWriterProcess(Path config, String name) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    WriterMain.class.getName(), config.toString()).redirectErrorStream(true)
                    .redirectOutput(config.resolveSibling(config.getFileName() + "." + name + ".log").toFile()).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start a writer process", e);
        }
    }

    private static void assertEndsWith(DatabaseShard shard, ChangeScript script, String when) {
        for (String table : ChangeScript.TABLES) {
            Map<Long, Map<String, Object>> want = script.expected(table);
            Map<Long, Map<String, Object>> have = TableChecksum.read(shard, table);
            List<Long> missing = want.keySet().stream().filter(id -> !have.containsKey(id)).limit(5).toList();
            List<Long> extra = have.keySet().stream().filter(id -> !want.containsKey(id)).limit(5).toList();
            List<String> stale = want.keySet().stream().filter(have::containsKey)
                    .filter(id -> dev.shardflow.core.event.CanonicalRow.hash(want.get(id))
                            != dev.shardflow.core.event.CanonicalRow.hash(have.get(id)))
                    .limit(5).map(id -> id + ": want " + want.get(id) + ", have " + have.get(id)).toList();
            assertThat(missing).as("%s %s %s: rows missing", shard.id(), table, when).isEmpty();
            assertThat(extra).as("%s %s %s: deleted rows present", shard.id(), table, when).isEmpty();
            assertThat(stale).as("%s %s %s: rows at another version", shard.id(), table, when).isEmpty();
            assertThat(TableChecksum.of(have.values())).isEqualTo(TableChecksum.of(want.values()));
        }
    }
}
