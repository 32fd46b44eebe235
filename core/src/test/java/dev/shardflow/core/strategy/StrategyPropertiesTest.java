package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingDiff;
import dev.shardflow.core.ring.RingHash;
import dev.shardflow.core.ring.TokenRange;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

class StrategyPropertiesTest {

    @Property(tries = 60)
    void aKeyMovesExactlyWhenItsTokenIsInAMoveRangeNamingBothOwners(
            @ForAll @IntRange(min = 1, max = 12) int shards,
            @ForAll @IntRange(min = 1, max = 3) int added,
            @ForAll @IntRange(min = 1, max = 200) int vnodes,
            @ForAll boolean md5,
            @ForAll List<@StringLength(max = 12) String> keys) {
        RingHash hash = md5 ? RingHash.MD5 : RingHash.XXH3;
        HashRing before = ring(shards, vnodes, hash);
        HashRing after = ring(shards + added, vnodes, hash);
        List<TokenRange> moves = RingDiff.between(before, after).moves();
        for (String key : keys) {
            String from = before.ownerOf(key);
            String to = after.ownerOf(key);
            TokenRange move = moves.stream().filter(m -> m.contains(before.tokenOf(key))).findFirst().orElse(null);
            if (from.equals(to)) {
                assertThat(move).as("key '%s' stays on %s", key, from).isNull();
            } else {
                assertThat(move).as("key '%s' moves %s -> %s", key, from, to).isNotNull();
                assertThat(move.from()).isEqualTo(from);
                assertThat(move.to()).isEqualTo(to);
            }
        }
    }

    @Property(tries = 40)
    void removingAShardMovesOnlyItsOwnKeys(@ForAll @IntRange(min = 2, max = 10) int shards,
            @ForAll @IntRange(min = 0, max = 9) int removedIndex, @ForAll List<Long> keys) {
        int removed = removedIndex % shards;
        HashRing before = ring(shards, 50, RingHash.XXH3);
        HashRing.Builder builder = HashRing.builder().vnodes(50);
        for (int i = 0; i < shards; i++) {
            if (i != removed) {
                builder.shard("s" + i);
            }
        }
        HashRing after = builder.build();
        for (long key : keys) {
            if (!before.ownerOf(key).equals("s" + removed)) {
                assertThat(after.ownerOf(key)).isEqualTo(before.ownerOf(key));
            }
        }
        assertThat(RingDiff.between(before, after).moves()).allMatch(m -> m.from().equals("s" + removed));
    }

    @Property(tries = 30)
    void tokenSharesAddUpToOne(@ForAll @IntRange(min = 1, max = 20) int shards, @ForAll boolean md5) {
        double sum = ring(shards, 30, md5 ? RingHash.MD5 : RingHash.XXH3).tokenShares().values().stream()
                .mapToDouble(Double::doubleValue).sum();
        assertThat(sum).isBetween(1 - 1e-9, 1 + 1e-9);
    }

    private static HashRing ring(int shards, int vnodes, RingHash hash) {
        HashRing.Builder builder = HashRing.builder().hash(hash).vnodes(vnodes);
        for (int i = 0; i < shards; i++) {
            builder.shard("s" + i);
        }
        return builder.build();
    }
}
