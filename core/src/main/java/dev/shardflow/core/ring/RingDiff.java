package dev.shardflow.core.ring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The token ranges whose owner differs between two rings of the same hash, each with its old and new owner, and
 * the fraction of the token space they cover: with keys spread by the hash, the fraction of keys that move.
 */
public record RingDiff(RingHash hash, List<TokenRange> moves, double movedFraction) {

    public RingDiff {
        moves = List.copyOf(moves);
    }

    /** The exact moves from {@code before} to {@code after}. */
    public static RingDiff between(HashRing before, HashRing after) {
        if (before.hash() != after.hash()) {
            throw new IllegalArgumentException("cannot diff a " + before.hash().configName() + " ring against a "
                    + after.hash().configName() + " ring: changing the hash function moves almost every key; "
                    + "keep the hash and change shards, weights or vnodes instead");
        }
        // Between two consecutive points of either ring, both owners are constant: check each such interval once.
        TreeSet<BigInteger> starts = new TreeSet<>(before.points());
        starts.addAll(after.points());
        starts.add(BigInteger.ZERO);
        BigInteger tokenCount = before.hash().tokenCount();
        List<TokenRange> moves = new ArrayList<>();
        BigInteger moved = BigInteger.ZERO;
        BigInteger start = null;
        for (BigInteger next : starts) {
            if (start != null) {
                moved = moved.add(addMove(moves, before, after, start, next));
            }
            start = next;
        }
        moved = moved.add(addMove(moves, before, after, start, tokenCount));
        return new RingDiff(before.hash(), moves, HashRing.fraction(moved, tokenCount));
    }

    private static BigInteger addMove(List<TokenRange> moves, HashRing before, HashRing after, BigInteger start,
            BigInteger end) {
        String from = before.ownerOfToken(start);
        String to = after.ownerOfToken(start);
        if (from.equals(to)) {
            return BigInteger.ZERO;
        }
        TokenRange last = moves.isEmpty() ? null : moves.get(moves.size() - 1);
        if (last != null && last.end().equals(start) && last.from().equals(from) && last.to().equals(to)) {
            moves.set(moves.size() - 1, new TokenRange(last.start(), end, from, to));
        } else {
            moves.add(new TokenRange(start, end, from, to));
        }
        return end.subtract(start);
    }
}
