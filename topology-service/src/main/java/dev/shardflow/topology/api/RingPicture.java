package dev.shardflow.topology.api;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingDiff;
import dev.shardflow.core.ring.TokenRange;
import dev.shardflow.core.strategy.ShardingStrategy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A ring as the dashboard draws it: arcs of the token circle (as fractions from 0 to 1) with their owner, adjacent
 * arcs of one owner merged, and the arcs that move between two rings. Empty for strategies that are not rings.
 */
public record RingPicture(List<Arc> arcs, List<Move> moving) {

    public record Arc(double start, double end, String shard) {}

    public record Move(double start, double end, String from, String to) {}

    public static RingPicture of(ShardingStrategy current, ShardingStrategy other) {
        if (!(current instanceof HashRing ring)) {
            return new RingPicture(List.of(), List.of());
        }
        BigInteger tokens = ring.hash().tokenCount();
        List<Arc> arcs = new ArrayList<>();
        List<BigInteger> points = ring.points();
        BigInteger start = BigInteger.ZERO;
        for (int i = 0; i <= points.size(); i++) {
            BigInteger end = i < points.size() ? points.get(i) : tokens;
            if (end.compareTo(start) > 0) {
                add(arcs, new Arc(fraction(start, tokens), fraction(end, tokens), ring.ownerOfToken(start)));
            }
            start = end;
        }
        List<Move> moving = new ArrayList<>();
        if (other instanceof HashRing next && next.hash() == ring.hash()) {
            for (TokenRange range : RingDiff.between(ring, next).moves()) {
                moving.add(new Move(fraction(range.start(), tokens), fraction(range.end(), tokens), range.from(),
                        range.to()));
            }
        }
        return new RingPicture(arcs, moving);
    }

    private static void add(List<Arc> arcs, Arc arc) {
        Arc last = arcs.isEmpty() ? null : arcs.get(arcs.size() - 1);
        if (last != null && last.shard().equals(arc.shard()) && last.end() == arc.start()) {
            arcs.set(arcs.size() - 1, new Arc(last.start(), arc.end(), arc.shard()));
        } else {
            arcs.add(arc);
        }
    }

    private static double fraction(BigInteger token, BigInteger tokens) {
        return new BigDecimal(token).divide(new BigDecimal(tokens), MathContext.DECIMAL64).doubleValue();
    }
}
