package dev.shardflow.router.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartialMergeTest {
    private static final Topology SHOP = TopologyLoader.parse(ShopTopology.routingDocument(1,
            List.of("pg1", "pg2", "maria1")), "shop", Map.of());

    private static List<List<Object>> merge(String sql, Object[]... rows) throws QueryRefusedException {
        return PartialMerge.merge(ShapeReader.read(sql, List.of(), SHOP), Arrays.asList(rows));
    }

    @Test
    void averageIsTheSumOfSumsOverTheSumOfCountsNotAnAverageOfAverages() throws Exception {
        // shard one: one order of 10; shard two: nine orders of 10/9 in all. Averages of averages would say 5.5.
        List<List<Object>> merged = merge("SELECT AVG(total_amount) FROM orders",
                new Object[] {new BigDecimal("10.00"), 1L}, new Object[] {new BigDecimal("10.00"), 9L});
        assertThat(merged).hasSize(1);
        assertThat((BigDecimal) merged.get(0).get(0)).isEqualByComparingTo("2");
    }

    @Test
    void groupsThatSpanShardsAreRankedByTheirWholeNotByEachShardsTopRows() throws Exception {
        // "DE" is second on every shard but first in all; a per-shard LIMIT (the chapter's limit * 2) of 1 would
        // miss it entirely
        List<List<Object>> merged = merge("SELECT country, COUNT(*) AS n FROM users GROUP BY country "
                + "ORDER BY n DESC LIMIT 1",
                new Object[] {"US", 5L}, new Object[] {"DE", 4L},
                new Object[] {"FR", 5L}, new Object[] {"DE", 4L},
                new Object[] {"JP", 5L}, new Object[] {"DE", 4L});
        assertThat(merged).containsExactly(List.of("DE", 12L));
    }

    @Test
    void anAggregateWithoutGroupsOverNoRowsIsOneRowOfZeroCountAndNullSum() throws Exception {
        List<List<Object>> merged = merge("SELECT COUNT(*), SUM(total_amount), MIN(status) FROM orders");
        assertThat(merged).hasSize(1);
        assertThat(merged.get(0)).containsExactly(0L, null, null);
    }

    @Test
    void equalNumbersFromDifferentDriversAreOneGroupAndWholeSumsAreLongs() throws Exception {
        List<List<Object>> merged = merge("SELECT user_id % 2, COUNT(*), SUM(id), MAX(total_amount) FROM orders "
                + "GROUP BY user_id % 2",
                new Object[] {1L, 3L, 30L, new BigDecimal("9.50")},
                new Object[] {new BigDecimal("1.00"), 2L, new BigDecimal("12"), new BigDecimal("12.25")},
                new Object[] {0, 1L, 4L, null});
        assertThat(merged).hasSize(2);
        assertThat(merged.get(0)).containsExactly(1L, 5L, 42L, new BigDecimal("12.25"));
        assertThat(merged.get(1)).containsExactly(0, 1L, 4L, null);
    }

    @Test
    void rowsAreMergedInTheStatementsOrderWithNullsLastTextByCodePointAndOffset() throws Exception {
        // each row: id, email, then the hidden order column
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {1L, "b@x", "b@x"});
        rows.add(new Object[] {2L, null, null});
        rows.add(new Object[] {3L, "B@x", "B@x"});
        rows.add(new Object[] {4L, "a@x", "a@x"});
        rows.add(new Object[] {5L, "\uD83D\uDE00@x", "\uD83D\uDE00@x"}); // above U+FFFF, after every BMP letter
        rows.add(new Object[] {6L, "\uFF21@x", "\uFF21@x"});
        List<List<Object>> merged = PartialMerge.merge(ShapeReader.read("SELECT id, email FROM users ORDER BY email "
                + "LIMIT 10 OFFSET 1", List.of(), SHOP), rows);
        assertThat(merged).extracting(row -> row.get(0)).containsExactly(4L, 1L, 6L, 5L, 2L);
        assertThat(merged.get(0)).hasSize(2);
    }

    @Test
    void descendingOrderPutsNullsFirstUnlessTheStatementSaysOtherwise() throws Exception {
        List<Object[]> rows = List.of(new Object[] {1L, 1L}, new Object[] {2L, null}, new Object[] {3L, 3L});
        assertThat(PartialMerge.merge(ShapeReader.read("SELECT id FROM users ORDER BY version DESC", List.of(), SHOP),
                rows)).extracting(row -> row.get(0)).containsExactly(2L, 3L, 1L);
        assertThat(PartialMerge.merge(ShapeReader.read("SELECT id FROM users ORDER BY version DESC NULLS LAST",
                List.of(), SHOP), rows)).extracting(row -> row.get(0)).containsExactly(3L, 1L, 2L);
    }
}
