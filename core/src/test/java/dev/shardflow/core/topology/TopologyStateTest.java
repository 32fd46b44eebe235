package dev.shardflow.core.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyStateTest {
    private static final String DOCUMENT = "keyspace: shop\nepoch: 1\n";

    @Test
    void heldShardsTravelWithTheStateAndAnOlderStateHasNone() {
        TopologyState held = TopologyState.steady("shop", DOCUMENT).withHeld(List.of("s2"));
        assertThat(TopologyState.fromBytes(held.toBytes()).held()).containsExactly("s2");
        String older = "{\"keyspace\":\"shop\",\"current\":\"keyspace: shop\",\"phase\":\"STEADY\"}";
        assertThat(TopologyState.fromBytes(older.getBytes(StandardCharsets.UTF_8)).held()).isEmpty();
    }

    @Test
    void shardsAreHeldOutsideARebalanceOnly() {
        TopologyState forward = new TopologyState("shop", DOCUMENT, DOCUMENT, TopologyState.Phase.FORWARD, "r1");
        assertThatThrownBy(() -> forward.withHeld(List.of("s1"))).hasMessageContaining("outside a rebalance");
        assertThat(forward.withFence("f1").held()).isEmpty();
    }

    @Test
    void aMovesControlsTravelWithItsStateAndAreLeftOutWhenNoneAreSet() {
        TopologyState forward = new TopologyState("shop", DOCUMENT, DOCUMENT, TopologyState.Phase.FORWARD, "r1");
        assertThat(new String(forward.toBytes(), StandardCharsets.UTF_8)).doesNotContain("controls");
        assertThat(TopologyState.fromBytes(forward.toBytes()).controls()).isEqualTo(MoveControls.NONE);

        TopologyState paused = forward.withControls(new MoveControls(true, 500));
        TopologyState read = TopologyState.fromBytes(paused.toBytes());
        assertThat(read.controls()).isEqualTo(new MoveControls(true, 500));
        assertThat(read).isEqualTo(paused).isNotEqualTo(forward);
        assertThat(read.withFence("f1").controls()).as("a fence keeps them").isEqualTo(read.controls());
        assertThat(TopologyState.steady("shop", DOCUMENT).withControls(new MoveControls(true, 1)).controls())
                .as("nothing moves outside a rebalance").isEqualTo(MoveControls.NONE);
        assertThatThrownBy(() -> new MoveControls(false, -1)).hasMessageContaining("maxRowsPerSecond");
    }
}
