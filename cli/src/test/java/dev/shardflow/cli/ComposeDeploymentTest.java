package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The {@code compose/} deployment holds together without a Docker engine: every shardflow container runs {@code
 * shardctl serve} with a settings file that loads (with the environment compose gives it), every source shard of the
 * ring is captured by exactly one container, every shard has a writer, and every file a container mounts exists.
 * (That the containers start is for a machine with Docker; this checks what would fail there first.)
 */
class ComposeDeploymentTest {
    private static final Path COMPOSE = Path.of("..", "compose");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(COMPOSE.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) file.get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new HashMap<>();
        ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
                .forEach((name, value) -> environment.put(name, String.valueOf(value)));
        environment.put("SHOP_DB_PASSWORD", "compose-test");
        return environment;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyShardflowContainerServesASettingsFileThatLoads() throws IOException {
        Topology topology = TopologyLoader.load(COMPOSE.resolve("config/topology.yaml"), Map.of("SHOP_DB_PASSWORD", "x"));
        Map<String, Integer> captured = new HashMap<>();
        List<String> writers = new ArrayList<>();
        int served = 0;
        for (Map.Entry<String, Map<String, Object>> entry : services().entrySet()) {
            Map<String, Object> service = entry.getValue();
            if (!String.valueOf(service.get("image")).startsWith("shardflow:")) {
                continue;
            }
            served++;
            List<String> command = (List<String>) service.get("command");
            assertThat(command).as(entry.getKey()).hasSize(3).startsWith("serve");
            Path settings = COMPOSE.resolve("config").resolve(Path.of(command.get(2)).getFileName());
            assertThat(settings).as(entry.getKey()).isRegularFile();
            assertThat(command.get(2)).isEqualTo("/config/" + settings.getFileName());
            Map<String, String> environment = environment(service);
            switch (command.get(1)) {
                case "capture" -> {
                    CaptureOptions options = CaptureOptions.load(settings, environment);
                    options.shards().forEach(shard -> captured.merge(shard, 1, Integer::sum));
                }
                case "rebalancer" -> assertThat(RebalancerOptions.load(settings, environment).threads()).isPositive();
                case "writer" -> writers.add(WriterOptions.load(settings, environment).shard().id());
                case "topology-service" -> assertThat(TopologyServiceOptions.load(settings, environment)).isNotNull();
                default -> throw new AssertionError(entry.getKey() + " serves no component " + command.get(1));
            }
        }
        assertThat(served).isGreaterThanOrEqualTo(8);
        assertThat(captured).as("each shard captured by exactly one container")
                .containsOnlyKeys(topology.shards().stream().map(ShardSpec::id).toArray(String[]::new))
                .allSatisfy((shard, containers) -> assertThat(containers).as(shard).isEqualTo(1));
        assertThat(writers).containsExactlyInAnyOrderElementsOf(topology.shards().stream().map(ShardSpec::id).toList());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMountedFileExists() throws IOException {
        for (Map.Entry<String, Map<String, Object>> entry : services().entrySet()) {
            for (String volume : (List<String>) entry.getValue().getOrDefault("volumes", List.of())) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(COMPOSE.resolve(source)).as(entry.getKey() + " mounts " + source).exists();
                }
            }
        }
        assertThat(COMPOSE.resolve("docker-compose.yml")).as("the containers run the image ./mvnw package builds")
                .content().contains("image: shardflow:${SHARDFLOW_VERSION:-" + buildVersion() + "}",
                        "JAVA_TOOL_OPTIONS: ${SHARDFLOW_JAVA_OPTS:-");
        assertThat(Path.of("..", "distribution", "pom.xml")).content().contains("<goal>buildTar</goal>",
                "<image>shardflow:${project.version}</image>");
        assertThat(Path.of("..", "shardctl")).as("the launcher takes the JVM's options from the environment")
                .content().contains("${SHARDFLOW_JAVA_OPTS:-");
    }

    /** The version this build gives its artifacts, as {@code shardctl --version} prints it. */
    private static String buildVersion() throws IOException {
        java.util.Properties build = new java.util.Properties();
        try (var in = Shardctl.class.getResourceAsStream("version.properties")) {
            build.load(in);
        }
        return build.getProperty("version");
    }
}
