package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.ring.HashRing;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompositeStrategyTest {
    static final RangeStrategy YEARS = RangeStrategy.builder(KeyType.DATE)
            .below("2024-01-01", "2023").below("2025-01-01", "2024").catchAll("later").build();

    static CompositeStrategy orders(int shardsIn2024) {
        HashRing.Builder ring2024 = HashRing.builder();
        for (int i = 0; i < shardsIn2024; i++) {
            ring2024.shard("o2024-" + i);
        }
        return new CompositeStrategy(YEARS, Map.of(
                "2023", HashRing.builder().shards(List.of("o2023-0", "o2023-1")).build(),
                "2024", ring2024.build(),
                "later", HashRing.builder().shards(List.of("o2025-0", "o2025-1", "o2025-2", "o2025-3")).build()));
    }

    @Test
    void ordersGoToTheirYearThenToTheShardOfTheirUserWithinTheYear() {
        CompositeStrategy orders = orders(4);
        String owner = orders.ownerOf(new CompositeStrategy.Key(LocalDate.of(2024, 3, 1), 42L));
        assertThat(owner).startsWith("o2024-").isEqualTo(orders.rings().get("2024").ownerOf(42L));
        assertThat(orders.ownerOf(List.of("2023-07-01", 42L))).startsWith("o2023-");
        assertThat(orders.ownerOf(List.of("2031-01-01", 7L))).startsWith("o2025-");
        // all orders of one user in one year are on one shard
        assertThat(orders.ownerOf(List.of("2024-12-31", 42L))).isEqualTo(owner);
    }

    @Test
    void aGroupWithoutARingIsRefused() {
        assertThatThrownBy(() -> new CompositeStrategy(YEARS, Map.of("2023", HashRing.builder().shard("a").build())))
                .hasMessageContaining("group 2024 has no ring");
        assertThatThrownBy(() -> orders(2).ownerOf(42L)).hasMessageContaining("two values");
    }

    @Test
    void addingAShardToOneYearMovesOnlyInsideThatYear() {
        StrategyDiff diff = StrategyDiff.between(orders(4), orders(5));
        assertThat(diff.moves()).isNotEmpty().allSatisfy(move -> {
            assertThat(move).isInstanceOf(GroupMove.class);
            assertThat(((GroupMove) move).group()).isEqualTo("2024");
            assertThat(move.to()).isEqualTo("o2024-4");
        });
    }
}
