package dev.shardflow.rebalancer.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ChangeEventSerdeTest {
    private final ChangeEventSerde serde = new ChangeEventSerde();

    @Test
    void anEventSurvivesTheSerdeUnchanged() {
        ChangeEvent event = new ChangeEvent("shop", "orders", Op.UPDATE, Map.of("id", 7L), Map.of("id", 7L),
                Map.of("id", 7L, "total_amount", new BigDecimal("19.90")), 42L,
                new Source("s1", PostgresLsn.parse("16/B374D848"), "771", 1_764_000_000_000L), 3);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", event))).isEqualTo(event);
    }

    @Test
    void tombstonesStayNull() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void aPayloadThatIsNotAnEventFailsNamingTheTopicAndTheReason() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("sf.shop.cdc.users", "{\"op\":\"x\"}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("sf.shop.cdc.users")
                .hasMessageContaining("not a change event");
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", "not json".getBytes()))
                .isInstanceOf(SerializationException.class);
    }
}
