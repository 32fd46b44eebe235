package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.process.Scratch;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code shardctl serve topology-service FILE} as an operator (or a compose container) runs it: its own process,
 * against a real Kafka broker, answering {@code shardctl topology show} until SIGTERM stops it cleanly; and a settings
 * file with a mistake fails at start, naming the field.
 */
class ShardctlServeIT {

    @Test
    void aTopologyServiceRunsInItsOwnProcessUntilSigterm() throws Exception {
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).start()) {
            Path directory = Scratch.newDirectory("shardctl-serve");
            Files.writeString(directory.resolve("s.password"), "not-a-real-password");
            Files.writeString(directory.resolve("topology.yaml"), """
                    keyspace: shop
                    epoch: 1
                    shards:
                      - {id: s0, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/s0", user: u, password: {file: s.password}}
                      - {id: s1, engine: mariadb, jdbcUrl: "jdbc:mariadb://h/s1", user: u, password: {file: s.password}}
                    strategy: {type: hash}
                    tables:
                      - {name: users, primaryKey: [id], shardKey: id}
                    """.replace("s.password", directory.resolve("s.password").toString()));
            Files.writeString(directory.resolve("api.token"), "serve-test-token\n");
            int port = freePort();
            Path settings = Files.writeString(directory.resolve("topology-service.yaml"), "topology: topology.yaml\n"
                    + "kafka: {bootstrapServers: \"" + testbed.kafka().bootstrapServers() + "\", replicationFactor: 1}\n"
                    + "api: {port: " + port + ", tokenFile: api.token}\n");

            Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), Shardctl.class.getName(),
                    "serve", "topology-service", settings.toString())).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("serve.log").toFile()).start();
            try {
                String[] api = {"--api", "http://127.0.0.1:" + port};
                await("the service answers").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> ShardctlRun.of(ShardctlRun.args(new String[] {"topology", "show"}, api)).exit() == 0);
                ShardctlRun shown = ShardctlRun.of(ShardctlRun.args(new String[] {"topology", "show"}, api));
                assertThat(shown.out()).startsWith("shop epoch 1 STEADY").contains("s0", "s1");
            } finally {
                process.destroy(); // SIGTERM
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within a minute of SIGTERM").isTrue();
            }
            String log = Files.readString(directory.resolve("serve.log"));
            assertThat(log).doesNotContain("not-a-real-password", "serve-test-token");
            assertThat(log).as("serve tells its story at INFO, with the time").containsPattern(
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* \\[main\\] INFO "
                            + "dev\\.shardflow\\.topology\\.TopologyService - topology service");

            Path broken = Files.writeString(directory.resolve("broken.yaml"), "topology: topology.yaml\n"
                    + "kafka: {bootstrapServers: \"" + testbed.kafka().bootstrapServers() + "\"}\napi: {port: -5}\n");
            ShardctlRun refused = ShardctlRun.of("serve", "topology-service", broken.toString());
            assertThat(refused.exit()).isEqualTo(ExitCodes.FAILED);
            assertThat(refused.err()).contains("api.port");
            assertThat(ShardctlRun.of("serve", "scheduler", broken.toString()).exit()).isEqualTo(ExitCodes.USAGE);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
