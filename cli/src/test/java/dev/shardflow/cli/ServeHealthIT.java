package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code shardctl serve} processes as a supervisor sees them: a writer is ready while its target answers, not ready
 * (503, saying which dependency and why) while the target is stopped, and ready again when it returns, with its
 * metrics on {@code /metrics}; a capture whose source stays gone fails for good and ends its process with exit code
 * 1, naming the shard; and SIGTERM ends a capture whose Kafka is gone within its shutdown timeout.
 */
class ServeHealthIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readinessFollowsTheTargetAndAFailedLoopEndsItsProcess() throws Exception {
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).start()) {
            testbed.shards().forEach(SampleSchema::applyTo);
            Path directory = Scratch.newDirectory("serve-health");
            Topology topology = ShopTopology.of(testbed.shards());
            ShopTopology.writeYaml(topology, directory);
            DatabaseShard target = testbed.postgres().get(0);
            DatabaseShard source = testbed.postgres().get(1);
            String kafka = testbed.kafka().bootstrapServers();

            int writerPort = freePort();
            Path writerFile = Files.writeString(directory.resolve("writer.yaml"), "topology: topology.yaml\nshard: "
                    + target.id() + "\nkafka: {bootstrapServers: \"" + kafka + "\"}\nhttp: {port: " + writerPort
                    + "}\n");
            Process writer = serve(directory, "writer", writerFile);
            try {
                String ready = "http://127.0.0.1:" + writerPort + "/health/ready";
                await("the writer is ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> status(ready) == 200);
                HttpResponse<String> metrics = get("http://127.0.0.1:" + writerPort + "/metrics");
                assertThat(metrics.body()).contains("jvm_memory_used_bytes", "hikaricp_connections",
                        "kafka_consumer_", "shardflow_writer_retries_total");

                target.stop();
                await("not ready while the target is stopped").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> status(ready) == 503);
                HttpResponse<String> down = get(ready);
                System.out.println("/health/ready with the target stopped: " + down.statusCode() + " " + down.body());
                assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"name\":\"target " + target.id() + "\"",
                        "\"state\":\"UNREACHABLE\"");

                target.restart();
                await("ready again once the target is back").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> status(ready) == 200);
            } finally {
                writer.destroy();
                assertThat(writer.waitFor(60, TimeUnit.SECONDS)).as("the writer stopped within a minute of SIGTERM")
                        .isTrue();
            }

            // Kafka gone, and SIGTERM: the process ends within its shutdown timeout all the same
            Process stranded;
            try (KafkaCluster ownKafka = KafkaClusters.start()) {
                int port = freePort();
                Path file = Files.writeString(directory.resolve("capture-stranded.yaml"), "topology: topology.yaml\n"
                        + "shards: " + target.id() + "\nkafka: {bootstrapServers: \"" + ownKafka.bootstrapServers()
                        + "\", replicationFactor: 1}\nshutdownTimeoutMs: 3000\nhttp: {port: " + port + "}\n");
                stranded = serve(directory, "capture", file, "capture-stranded.log");
                String ready = "http://127.0.0.1:" + port + "/health/ready";
                await("the stranded capture is ready").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> status(ready) == 200);
            }
            long stopping = System.nanoTime();
            stranded.destroy(); // SIGTERM, its Kafka gone
            boolean ended = stranded.waitFor(30, TimeUnit.SECONDS);
            System.out.printf("capture with its Kafka gone ended %.1f s after SIGTERM (exit code %s)%n",
                    (System.nanoTime() - stopping) / 1e9, ended ? stranded.exitValue() : "none");
            assertThat(ended).as("ended within shutdownTimeoutMs (3 s) and its 5 s "
                    + "of grace, though Kafka is gone").isTrue();

            int capturePort = freePort();
            Path captureFile = Files.writeString(directory.resolve("capture.yaml"), "topology: topology.yaml\nshards: "
                    + source.id() + "\nkafka: {bootstrapServers: \"" + kafka + "\", replicationFactor: 1}\n"
                    + "engine: {restartAttempts: 1, restartBackoffMaxMs: 1000}\nhttp: {port: " + capturePort + "}\n");
            Process capture = serve(directory, "capture", captureFile);
            try {
                String ready = "http://127.0.0.1:" + capturePort + "/health/ready";
                await("the capture is ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> status(ready) == 200);
                source.kill();
                assertThat(capture.waitFor(180, TimeUnit.SECONDS)).as("the capture ended once its shard failed for "
                        + "good").isTrue();
                assertThat(capture.exitValue()).isEqualTo(ExitCodes.FAILED);
                assertThat(Files.readString(directory.resolve("capture.log")))
                        .contains("capture " + source.id() + " failed for good", "exiting so that the supervisor");
            } finally {
                capture.destroyForcibly();
            }
            for (String log : List.of("writer.log", "capture.log")) {
                assertThat(Files.readString(directory.resolve(log))).doesNotContain(target.password(),
                        source.password());
            }
        }
    }

    private static Process serve(Path directory, String component, Path settings) throws IOException {
        return serve(directory, component, settings, component + ".log");
    }

    private static Process serve(Path directory, String component, Path settings, String log) throws IOException {
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), Shardctl.class.getName(), "serve",
                component, settings.toString())).redirectErrorStream(true)
                .redirectOutput(directory.resolve(log).toFile()).start();
    }

    private static int status(String url) {
        try {
            return get(url).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
