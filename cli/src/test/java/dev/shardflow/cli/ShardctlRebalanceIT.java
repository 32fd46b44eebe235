package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.TopologyApi;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.api.ApiServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code shardctl rebalance} and {@code shardctl topology} against a real topology service (its API over HTTP, its
 * registry on a real Kafka broker): plan, start, status, cancel and topology show and apply, each with its bad-input
 * path — an unknown shard, a malformed topology file, no token, and a service that cannot be reached — and the exit
 * code each ends with.
 */
class ShardctlRebalanceIT {
    private static final String TOKEN = "cli-test-token-5d1f";
    private static Testbed testbed;
    private static TopologyService service;
    private static ApiServer api;
    private static Path tokenFile;
    private static Path directory;

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).start();
        directory = Scratch.newDirectory("shardctl-rebalance");
        Path secret = directory.resolve("s.password");
        Files.writeString(secret, "not-a-real-password");
        tokenFile = directory.resolve("api.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        service = new TopologyService(TopologyServiceOptions.defaults(topology(secret, "s0, s1, s2"),
                testbed.kafka().bootstrapServers()).withReplicationFactor(1).withInstanceId("cli-test"),
                new SimpleMeterRegistry()).start();
        await("leading").atMost(Duration.ofSeconds(30)).until(service::leading);
        api = new ApiServer("127.0.0.1", 0, new TopologyApi(service), TOKEN, () -> "").start();
    }

    private static String topology(Path secret, String ring) {
        StringBuilder yaml = new StringBuilder("keyspace: shop\nepoch: 1\nshards:\n");
        for (String id : List.of("s0", "s1", "s2", "s3")) {
            yaml.append("  - {id: ").append(id).append(", engine: postgresql, jdbcUrl: \"jdbc:postgresql://h/")
                    .append(id).append("\", user: u, password: {file: \"").append(secret).append("\"}}\n");
        }
        return yaml.append("strategy: {type: hash, shards: [").append(ring).append("]}\n")
                .append("tables:\n  - {name: users, primaryKey: [id], shardKey: id}\n").toString();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (service != null) {
            service.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    private static String[] withApi(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--api");
        all.add("http://127.0.0.1:" + api.port());
        all.add("--token-file");
        all.add(tokenFile.toString());
        return all.toArray(String[]::new);
    }

    @Test
    void aRebalanceIsPlannedStartedWatchedAndCancelledFromTheCommandLine() throws Exception {
        ShardctlRun shown = ShardctlRun.of(withApi("topology", "show"));
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).startsWith("shop epoch 1 STEADY").contains("s0", "s1", "s2", "% of the ring");

        ShardctlRun unknown = ShardctlRun.of(withApi("rebalance", "plan", "--remove", "s9"));
        assertThat(unknown.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err()).contains("s9");

        ShardctlRun planned = ShardctlRun.of(withApi("rebalance", "plan", "--add", "s3", "--output", "json"));
        assertThat(planned.exit()).as(planned.err()).isZero();
        String id = planned.json().path("id").asText();
        assertThat(planned.json().path("state").asText()).isEqualTo("PLANNED");
        assertThat(planned.json().path("plan").path("moves")).isNotEmpty();

        ShardctlRun started = ShardctlRun.of(withApi("rebalance", "start", id));
        assertThat(started.exit()).as(started.err()).isZero();
        assertThat(started.out()).startsWith(id + "  COPYING");

        ShardctlRun status = ShardctlRun.of(withApi("rebalance", "status"));
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).startsWith(id + "  COPYING").contains("s0 -> s3");

        ShardctlRun early = ShardctlRun.of(withApi("rebalance", "complete", id));
        assertThat(early.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(early.err()).contains("cannot complete rebalance " + id);

        ShardctlRun cancelled = ShardctlRun.of(withApi("rebalance", "cancel", id));
        assertThat(cancelled.exit()).as(cancelled.err()).isZero();
        assertThat(cancelled.out()).contains("CANCELLING");
        assertThat(shown.out() + status.out() + started.out()).doesNotContain(TOKEN).doesNotContain("not-a-real");
    }

    @Test
    void badInputAndAnUnreachableServiceSayWhyWithTheirExitCodes() throws Exception {
        ShardctlRun noToken = ShardctlRun.of("rebalance", "start", "r1", "--api", "http://127.0.0.1:" + api.port());
        assertThat(noToken.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(noToken.err()).contains("--token-file");

        ShardctlRun unreachable = ShardctlRun.of("rebalance", "status", "--api", "http://127.0.0.1:1");
        assertThat(unreachable.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(unreachable.err()).contains("cannot be reached", "http://127.0.0.1:1");

        Path malformed = directory.resolve("malformed.yaml");
        Files.writeString(malformed, "keyspace: shop\nepoch: two\n");
        ShardctlRun badFile = ShardctlRun.of(withApi("topology", "apply", malformed.toString()));
        assertThat(badFile.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(badFile.err()).contains("epoch");

        ShardctlRun usage = ShardctlRun.of(withApi("rebalance", "verify"));
        assertThat(usage.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(usage.err()).contains("--all");
        assertThat(ShardctlRun.of("rebalance", "plan", "--bogus").exit()).isEqualTo(ExitCodes.USAGE);
    }
}
