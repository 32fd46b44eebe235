package dev.shardflow.core.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CopyStartTest {

    @Test
    void aCopyStartReadsBackAsWrittenAndNamesPartitionsOfTopicsWithDashes() {
        CopyStart start = new CopyStart(Map.of("sf.shop.cdc.users-0", 120L, "sf.shop.cdc.order-items-11", 7L));
        assertThat(CopyStart.fromBytes(start.toBytes())).isEqualTo(start);
        assertThat(CopyStart.topicOf("sf.shop.cdc.order-items-11")).isEqualTo("sf.shop.cdc.order-items");
        assertThat(CopyStart.partitionOf("sf.shop.cdc.order-items-11")).isEqualTo(11);
        assertThat(CopyStart.topic(new TopicNames("sf.shop"))).isEqualTo("sf.shop.rebalancer.copy-starts");
        assertThatThrownBy(() -> CopyStart.fromBytes("[1, 2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("not a copy start");
    }
}
