package dev.shardflow.rebalancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.testkit.SettingsReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RebalancerSettingsTest {

    @Test
    void everySettingIsInTheReadmeWithItsDefaultAndDoc() {
        assertThat(SettingsReference.problems(Path.of("README.md"), RebalancerSettings.ALL)).isEmpty();
    }

    @Test
    void aRebalancerFileIsReadAndABadGuaranteeIsNamed(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("..", "examples", "shop-topology.yaml"), dir.resolve("shop-topology.yaml"));
        Path file = dir.resolve("rebalancer.yaml");
        Files.writeString(file, """
                topology: shop-topology.yaml
                kafka:
                  bootstrapServers: k1:9092
                """);
        RebalancerOptions options = RebalancerOptions.load(file, Map.of());
        assertThat(options.applicationId()).isEqualTo("shardflow-rebalancer-shop");
        assertThat(options.processingGuarantee()).isEqualTo("exactly_once_v2");

        assertThatThrownBy(() -> RebalancerOptions.load(file, Map.of("SHARDFLOW_KAFKA_PROCESSINGGUARANTEE", "maybe")))
                .hasMessageContaining("kafka.processingGuarantee: must be exactly_once_v2 or at_least_once, was maybe");
    }
}
