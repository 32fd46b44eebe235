package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.testkit.SettingsReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's settings table says exactly what the declarations say. */
class CaptureSettingsDocumentedTest {

    @Test
    void everySettingIsInTheReadmeWithItsDefaultAndDoc() throws Exception {
        assertThat(SettingsReference.problems(Path.of("README.md"), CaptureSettings.ALL)).isEmpty();
    }

    @Test
    void aCaptureFileIsReadWithDefaultsOverridesAndOneLinePerProblem(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("..", "examples", "shop-topology.yaml"), dir.resolve("shop-topology.yaml"));
        Path file = dir.resolve("capture.yaml");
        Files.writeString(file, """
                topology: shop-topology.yaml
                kafka:
                  bootstrapServers: k1:9092
                engine:
                  maxBatchSize: 1024
                """);
        CaptureOptions options = CaptureOptions.load(file, Map.of("SHARDFLOW_ENGINE_POLLINTERVALMS", "7"));
        assertThat(options.maxBatchSize()).isEqualTo(1024);
        assertThat(options.pollIntervalMs()).isEqualTo(7);
        assertThat(options.maxQueueSize()).isEqualTo(8192);
        assertThat(options.shards()).containsExactly("s0", "s1", "s2", "s3");

        Files.writeString(file, """
                kafka:
                  bootstrapServer: k1:9092
                engine:
                  maxBatchSize: -5
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CaptureOptions.load(file, Map.of()))
                .hasMessageContaining("topology: missing")
                .hasMessageContaining("kafka.bootstrapServers: missing")
                .hasMessageContaining("engine.maxBatchSize: must be positive, was -5")
                .hasMessageContaining("kafka.bootstrapServer: unknown setting");
    }
}
