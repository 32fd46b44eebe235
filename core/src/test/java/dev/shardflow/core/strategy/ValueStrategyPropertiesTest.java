package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ValueStrategyPropertiesTest {
    private static final String[] SHARDS = {"a", "b", "c"};

    @Property(tries = 200)
    void aNumberChangesOwnerExactlyWhenARangeMoveCoversIt(
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = -50, max = 50) Integer> boundsBefore,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = -50, max = 50) Integer> boundsAfter,
            @ForAll long seed,
            @ForAll @Size(max = 30) List<@IntRange(min = -60, max = 60) Integer> values) {
        RangeStrategy before = ranges(boundsBefore, seed);
        RangeStrategy after = ranges(boundsAfter, seed * 31 + 7);
        List<MoveRange> moves = StrategyDiff.between(before, after).moves();
        for (int value : values) {
            String from = before.ownerOf(value);
            String to = after.ownerOf(value);
            List<MoveRange> covering = moves.stream().filter(m -> covers((ValueRange) m, value)).toList();
            if (from.equals(to)) {
                assertThat(covering).as("%d stays on %s", value, from).isEmpty();
            } else {
                assertThat(covering).as("%d moves %s -> %s", value, from, to).hasSize(1);
                assertThat(covering.get(0).from()).isEqualTo(from);
                assertThat(covering.get(0).to()).isEqualTo(to);
            }
        }
    }

    @Property(tries = 200)
    void aListedValueChangesOwnerExactlyWhenAMoveNamesIt(
            @ForAll Map<@IntRange(min = 0, max = 20) Integer, @IntRange(min = 0, max = 2) Integer> before,
            @ForAll Map<@IntRange(min = 0, max = 20) Integer, @IntRange(min = 0, max = 2) Integer> after,
            @ForAll @IntRange(min = 0, max = 25) int value) {
        ListStrategy a = list(before, "a");
        ListStrategy b = list(after, "c");
        List<MoveRange> moves = StrategyDiff.between(a, b).moves();
        String key = Integer.toString(value);
        String from = a.ownerOf(key);
        String to = b.ownerOf(key);
        boolean listed = a.owners().containsKey(key) || b.owners().containsKey(key);
        List<ValueSet> covering = moves.stream().map(m -> (ValueSet) m)
                .filter(m -> listed ? m.values().contains(key) : m.unlisted()).toList();
        if (from.equals(to)) {
            assertThat(covering).isEmpty();
        } else {
            assertThat(covering).hasSize(1);
            assertThat(covering.get(0).from()).isEqualTo(from);
            assertThat(covering.get(0).to()).isEqualTo(to);
        }
    }

    private static RangeStrategy ranges(List<Integer> bounds, long seed) {
        RangeStrategy.Builder builder = RangeStrategy.builder(KeyType.NUMBER);
        java.util.Random random = new java.util.Random(seed);
        for (int bound : new TreeSet<>(bounds)) {
            builder.below(Integer.toString(bound), SHARDS[random.nextInt(SHARDS.length)]);
        }
        return builder.catchAll(SHARDS[random.nextInt(SHARDS.length)]).build();
    }

    private static ListStrategy list(Map<Integer, Integer> owners, String defaultShard) {
        ListStrategy.Builder builder = ListStrategy.builder();
        owners.forEach((value, shard) -> builder.values(SHARDS[shard], new ArrayList<>(List.of(value.toString()))));
        return builder.defaultShard(defaultShard).build();
    }

    private static boolean covers(ValueRange range, int value) {
        BigDecimal v = BigDecimal.valueOf(value);
        return (range.lower() == null || v.compareTo(new BigDecimal(range.lower())) >= 0)
                && (range.upper() == null || v.compareTo(new BigDecimal(range.upper())) < 0);
    }
}
