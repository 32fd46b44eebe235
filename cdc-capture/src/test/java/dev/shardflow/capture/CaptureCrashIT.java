package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.ChangeTopicReader.Entry;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.workload.Workload;
import dev.shardflow.testkit.workload.Write;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capture process is SIGKILLed in the middle of a workload on a PostgreSQL and a MariaDB shard and started
 * again: every acknowledged write must be in the change topics; duplicates are counted and must stay within what
 * one offset-flush interval can re-send.
 */
class CaptureCrashIT {
    private static Testbed testbed;
    private static Path lastLog;
    private static Path firstLog;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void everyAcknowledgedWriteReachesKafkaAcrossAKillOfTheCaptureProcess() throws Exception {
        Topology topology = ShopTopology.of(testbed.shards());
        Path config = writeConfig(topology);
        Process first = startCaptureProcess(config);
        firstLog = lastLog;
        Process capture = first;
        try (Workload workload = Workload.builder(testbed.shards()).writesPerSecond(300).build();
                ChangeTopicReader reader = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of("sf.shop.cdc.users", "sf.shop.cdc.orders", "sf.shop.cdc.order_items",
                                "sf.shop.cdc.products"))) {
            // Both shards past their initial snapshot and streaming: an update of each is captured as an update.
            await("capture streaming from every shard").atMost(Duration.ofSeconds(120))
                    .failFast(() -> {
                        if (!first.isAlive()) {
                            throw new AssertionError("the capture process exited; its log:\n" + Files.readString(lastLog));
                        }
                    })
                    .until(() -> {
                        testbed.shards().forEach(s -> s.execute("UPDATE products SET version = version + 1 WHERE id = 1"));
                        return reader.poll().stream().filter(e -> e.event() != null && e.event().op() == Op.UPDATE)
                                .map(e -> e.key().shard()).distinct().count() == testbed.shards().size();
                    });
            workload.start();
            await("events flowing before the kill").atMost(Duration.ofSeconds(60))
                    .until(() -> reader.poll().size() > 1_000);

            capture.toHandle().destroyForcibly(); // SIGKILL: no offset commit, no producer flush
            assertThat(capture.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            long acknowledgedWhileDown = totalAcknowledged(workload);
            await().atMost(Duration.ofSeconds(30)).until(() -> totalAcknowledged(workload) > acknowledgedWhileDown + 300);

            capture = startCaptureProcess(config);
            long atRestart = totalAcknowledged(workload);
            await().atMost(Duration.ofSeconds(60)).until(() -> totalAcknowledged(workload) > atRestart + 600);
            workload.stop();

            List<Write> acknowledged = workload.writeLog().acknowledged();
            try {
                await("every acknowledged write in the change topics").atMost(Duration.ofSeconds(120))
                        .until(() -> missing(acknowledged, reader.poll()).isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                List<Write> lost = missing(acknowledged, reader.poll());
                throw new AssertionError(lost.size() + " acknowledged writes are not in the change topics, first: "
                        + lost.stream().limit(10).toList() + "\nend of the capture log:\n"
                        + tail(Files.readAllLines(lastLog), 40) + "\nrestarted capture, offsets:\n"
                        + Files.readAllLines(lastLog).stream().filter(l -> l.contains("offset") || l.contains("position")
                                || l.contains("Skip") || l.contains("skip") || l.contains("resum")).limit(40)
                                .collect(Collectors.joining("\n"))
                        + "\nfirst capture, end:\n" + tail(Files.readAllLines(firstLog), 30), e);
            }

            List<Entry> entries = reader.poll();
            List<ChangeEvent> events = entries.stream().map(Entry::event).filter(e -> e != null && !e.isMarker()
                    && !e.table().equals("products")).toList();
            Set<String> seen = new HashSet<>();
            long duplicates = events.stream().filter(e -> !seen.add(identity(e))).count();
            System.out.printf("capture crash: %d acknowledged writes, %d change events, %d duplicates (%.2f%%)%n",
                    acknowledged.size(), events.size(), duplicates, 100.0 * duplicates / events.size());
            // one offset-flush interval (1 s) of re-sent events at 300 tx/s, with room for the batch in flight
            assertThat(duplicates).isLessThan(3_000);
            assertThat(acknowledged.size()).isGreaterThan(1_500);
            assertVersionsNeverGoBackAfterDuplicatesAreDropped(entries);
        } finally {
            capture.toHandle().destroyForcibly();
        }
    }

    private static String tail(List<String> lines, int count) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private static long totalAcknowledged(Workload workload) {
        return testbed.shards().stream().mapToLong(s -> workload.stats(s.id()).acknowledged()).sum();
    }

    private static List<Write> missing(List<Write> acknowledged, List<Entry> entries) {
        Set<String> present = entries.stream().map(Entry::event).filter(e -> e != null && !e.isMarker())
                .map(CaptureCrashIT::identity).collect(Collectors.toSet());
        return acknowledged.stream().filter(w -> !present.contains(identity(w))).toList();
    }

    private static String identity(ChangeEvent e) {
        Object id = e.key().get("id");
        long version = e.op() == Op.DELETE ? ((Number) e.before().get("version")).longValue() + 1
                : ((Number) e.after().get("version")).longValue();
        return e.source().shard() + "/" + e.table() + "/" + id + "/" + (e.op() == Op.DELETE ? "d" : "w") + version;
    }

    private static String identity(Write w) {
        return w.shard() + "/" + w.table() + "/" + w.key() + "/" + (w.op() == Write.Op.DELETE ? "d" : "w")
                + w.version();
    }

    private static void assertVersionsNeverGoBackAfterDuplicatesAreDropped(List<Entry> entries) {
        Map<String, Long> last = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Entry entry : entries) {
            ChangeEvent e = entry.event();
            if (e == null || e.isMarker() || e.op() == Op.DELETE || e.table().equals("products")
                    || !seen.add(identity(e))) {
                continue;
            }
            String row = e.source().shard() + "/" + e.table() + "/" + e.key();
            long version = ((Number) e.after().get("version")).longValue();
            Long previous = last.put(row, version);
            assertThat(previous == null || previous < version).as("%s: v%d after v%d", row, version, previous).isTrue();
        }
    }

    private static Path writeConfig(Topology topology) throws Exception {
        Path dir = Scratch.newDirectory("capture-config");
        ShopTopology.writeYaml(topology, dir);
        Files.writeString(dir.resolve("capture.yaml"), """
                topology: topology.yaml
                kafka:
                  bootstrapServers: %s
                  replicationFactor: 1
                engine:
                  offsetFlushIntervalMs: 1000
                logIntervalMs: 2000
                http:
                  port: 0
                """.formatted(testbed.kafka().bootstrapServers()));
        return dir.resolve("capture.yaml");
    }

    private static Process startCaptureProcess(Path config) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                CaptureMain.class.getName(), config.toString()));
        File log = config.resolveSibling("capture-" + System.nanoTime() + ".log").toFile();
        lastLog = log.toPath();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }
}
