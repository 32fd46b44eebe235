package dev.shardflow.rebalancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.testkit.ShopTopology;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The settings every Streams application of the rebalancer runs with, as Streams itself resolves them: its
 * exactly-once producer gives up on a batch after a bounded time (Streams alone would retry it forever, and a move
 * stalled silently), sends one request at a time per broker (batches that overtook the first of a transaction were
 * refused as out of sequence under transactions v2), and stays idempotent and transactional.
 */
class StreamsPropertiesTest {

    @Test
    void theExactlyOnceProducerRetriesABatchForABoundedTimeOnlyWithOneRequestInFlight() {
        RebalancerOptions options = RebalancerOptions.defaults(TopologyLoader.parse(
                ShopTopology.routingDocument(1, List.of("s0", "s1")), "test", Map.of("PW", "x")), "localhost:9092");
        StreamsConfig config = new StreamsConfig(MoveApp.streamsProperties(options, "shardflow-rebalancer-test"));
        assertThat(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        Map<String, Object> producer = config.getProducerConfigs("client");
        assertThat(producer.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).isEqualTo(MoveApp.DELIVERY_TIMEOUT_MS);
        assertThat(MoveApp.DELIVERY_TIMEOUT_MS).isLessThanOrEqualTo(120_000);
        assertThat(producer.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo(true);
        assertThat(producer.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)).isEqualTo(1);
    }
}
