package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.testkit.SettingsReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologySettingsTest {

    @Test
    void everySettingIsInTheReadmeWithItsDefaultAndDoc() {
        assertThat(SettingsReference.problems(Path.of("README.md"), TopologySettings.ALL)).isEmpty();
    }

    @Test
    void aServiceFileIsReadAndARouterTimeoutWithinTheLeaseIsRefused(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("..", "examples", "shop-topology.yaml"), dir.resolve("shop-topology.yaml"));
        Path file = dir.resolve("topology-service.yaml");
        Files.writeString(file, """
                topology: shop-topology.yaml
                kafka:
                  bootstrapServers: k1:9092
                """);
        TopologyServiceOptions options = TopologyServiceOptions.load(file, Map.of());
        assertThat(options.topology().keyspace()).isEqualTo("shop");
        assertThat(options.workflow().rebalancerApplicationId()).isEqualTo("shardflow-rebalancer-shop");
        assertThat(options.workflow().fenceTimeout().toMillis()).isEqualTo(10_000);
        assertThatThrownBy(() -> TopologyServiceOptions.load(file, Map.of("SHARDFLOW_ROUTERS_TIMEOUTMS", "3000")))
                .hasMessageContaining("routers.timeoutMs: must be longer than the routers' longest lease (5000 ms)");
    }
}
