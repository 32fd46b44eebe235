package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.testkit.SettingsReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterSettingsTest {

    @Test
    void everySettingIsInTheReadmeWithItsDefaultAndDoc() {
        assertThat(SettingsReference.problems(Path.of("README.md"), WriterSettings.ALL)).isEmpty();
    }

    @Test
    void aWriterFileIsReadWithDefaultsAndEnvironmentOverrides(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("..", "examples", "shop-topology.yaml"), dir.resolve("shop-topology.yaml"));
        Path file = dir.resolve("writer.yaml");
        Files.writeString(file, """
                topology: shop-topology.yaml
                shard: s2
                kafka:
                  bootstrapServers: k1:9092
                batch:
                  maxRows: 1000
                """);
        WriterOptions options = WriterOptions.load(file, Map.of("SHARDFLOW_CONSUMERS", "1"));
        assertThat(options.shard().id()).isEqualTo("s2");
        assertThat(options.topics()).containsExactly("sf.shop.apply.s2");
        assertThat(options.groupId()).isEqualTo("shardflow-writer-shop-s2");
        assertThat(options.maxBatchRows()).isEqualTo(1000);
        assertThat(options.consumers()).isEqualTo(1);
        assertThat(options.rowsPerStatement()).isEqualTo(500);
    }

    @Test
    void badSettingsFailAtStartNamingTheField(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("..", "examples", "shop-topology.yaml"), dir.resolve("shop-topology.yaml"));
        Path file = dir.resolve("writer.yaml");
        Files.writeString(file, """
                topology: shop-topology.yaml
                kafka:
                  bootstrapServers: k1:9092
                batch:
                  maxRows: 0
                  rowsPerStatment: 10
                """);
        assertThatThrownBy(() -> WriterOptions.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("shard: missing")
                .hasMessageContaining("batch.maxRows: must be positive, was 0")
                .hasMessageContaining("batch.rowsPerStatment: unknown setting");

        Files.writeString(file, """
                topology: shop-topology.yaml
                shard: s9
                kafka:
                  bootstrapServers: k1:9092
                """);
        assertThatThrownBy(() -> WriterOptions.load(file, Map.of())).hasMessageContaining("shard: unknown shard 's9'");

        Files.writeString(file, """
                topology: shop-topology.yaml
                shard: s1
                consumers: 4
                kafka:
                  bootstrapServers: k1:9092
                """);
        assertThatThrownBy(() -> WriterOptions.load(file, Map.of())).hasMessageContaining("pool.maxSize: must be larger "
                + "than consumers (4)");
    }
}
