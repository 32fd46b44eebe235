package dev.shardflow.core.strategy;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingDiff;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * What changes owner between two strategies of the same kind: the exact moving key ranges, each with its old and new
 * owner, and the moved fraction where the strategy alone decides it (hash rings: the share of the token space).
 * For value-based strategies the fraction depends on the data; {@link #estimateMovedFraction} measures it on keys.
 */
public record StrategyDiff(List<MoveRange> moves, OptionalDouble movedFraction) {

    public StrategyDiff {
        moves = List.copyOf(moves);
        Objects.requireNonNull(movedFraction, "movedFraction");
    }

    public boolean isEmpty() {
        return moves.isEmpty();
    }

    public static StrategyDiff between(ShardingStrategy before, ShardingStrategy after) {
        if (before instanceof HashRing a && after instanceof HashRing b) {
            RingDiff diff = RingDiff.between(a, b);
            return new StrategyDiff(List.copyOf(diff.moves()), OptionalDouble.of(diff.movedFraction()));
        }
        if (before instanceof RangeStrategy a && after instanceof RangeStrategy b) {
            return new StrategyDiff(rangeMoves(a, b), OptionalDouble.empty());
        }
        if (before instanceof ListStrategy a && after instanceof ListStrategy b) {
            return new StrategyDiff(listMoves(a, b), OptionalDouble.empty());
        }
        if (before instanceof CompositeStrategy a && after instanceof CompositeStrategy b) {
            return new StrategyDiff(compositeMoves(a, b), OptionalDouble.empty());
        }
        throw new IllegalArgumentException("cannot list the moves from a " + kind(before) + " to a " + kind(after)
                + ": changing the kind of strategy may move any key; measure it with estimateMovedFraction");
    }

    /** The fraction of {@code keys} whose owner differs between the two strategies. */
    public static double estimateMovedFraction(ShardingStrategy before, ShardingStrategy after, Iterable<?> keys) {
        long total = 0;
        long moved = 0;
        for (Object key : keys) {
            total++;
            if (!before.ownerOf(key).equals(after.ownerOf(key))) {
                moved++;
            }
        }
        if (total == 0) {
            throw new IllegalArgumentException("no keys to estimate the moved fraction from");
        }
        return (double) moved / total;
    }

    private static List<MoveRange> rangeMoves(RangeStrategy before, RangeStrategy after) {
        if (before.keyType() != after.keyType()) {
            throw new IllegalArgumentException("cannot diff ranges of " + before.keyType().configName()
                    + " against ranges of " + after.keyType().configName());
        }
        TreeSet<Comparable<Object>> bounds = new TreeSet<>(before.bounds());
        bounds.addAll(after.bounds());
        List<Comparable<Object>> lowers = new ArrayList<>();
        lowers.add(null); // everything below the first bound
        lowers.addAll(bounds);
        List<MoveRange> moves = new ArrayList<>();
        for (int i = 0; i < lowers.size(); i++) {
            Comparable<Object> lower = lowers.get(i);
            Comparable<Object> upper = i + 1 < lowers.size() ? lowers.get(i + 1) : null;
            String from = before.ownerFrom(lower);
            String to = after.ownerFrom(lower);
            if (from == null || to == null || from.equals(to)) {
                continue; // no row can be there under one of them (no catch-all), or nothing moves
            }
            ValueRange last = moves.isEmpty() ? null : (ValueRange) moves.get(moves.size() - 1);
            if (last != null && Objects.equals(last.upper(), text(lower)) && last.from().equals(from)
                    && last.to().equals(to)) {
                moves.set(moves.size() - 1, new ValueRange(last.lower(), text(upper), from, to));
            } else {
                moves.add(new ValueRange(text(lower), text(upper), from, to));
            }
        }
        return moves;
    }

    private static List<MoveRange> listMoves(ListStrategy before, ListStrategy after) {
        LinkedHashSet<String> values = new LinkedHashSet<>(before.owners().keySet());
        values.addAll(after.owners().keySet());
        Map<List<String>, List<String>> byPair = new LinkedHashMap<>();
        for (String value : values) {
            String from = before.owners().getOrDefault(value, before.defaultShard());
            String to = after.owners().getOrDefault(value, after.defaultShard());
            if (from != null && to != null && !from.equals(to)) {
                byPair.computeIfAbsent(List.of(from, to), pair -> new ArrayList<>()).add(value);
            }
        }
        List<MoveRange> moves = new ArrayList<>();
        byPair.forEach((pair, moved) -> moves.add(new ValueSet(moved, false, pair.get(0), pair.get(1))));
        if (before.defaultShard() != null && after.defaultShard() != null
                && !before.defaultShard().equals(after.defaultShard())) {
            moves.add(new ValueSet(List.of(), true, before.defaultShard(), after.defaultShard()));
        }
        return moves;
    }

    private static List<MoveRange> compositeMoves(CompositeStrategy before, CompositeStrategy after) {
        if (!before.groups().ranges().equals(after.groups().ranges())
                || before.groups().keyType() != after.groups().keyType()
                || !Objects.equals(before.groups().catchAll(), after.groups().catchAll())) {
            throw new IllegalArgumentException("the groups of a composite strategy changed (" + before.groups()
                    + " to " + after.groups() + "); change the rings inside the groups, or move groups as a separate "
                    + "step");
        }
        List<MoveRange> moves = new ArrayList<>();
        for (Map.Entry<String, HashRing> group : before.rings().entrySet()) {
            RingDiff diff = RingDiff.between(group.getValue(), after.rings().get(group.getKey()));
            diff.moves().forEach(move -> moves.add(new GroupMove(group.getKey(), move)));
        }
        return moves;
    }

    private static String text(Comparable<Object> bound) {
        if (bound == null) {
            return null;
        }
        Object value = bound;
        return value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString();
    }

    private static String kind(ShardingStrategy strategy) {
        return strategy.getClass().getSimpleName();
    }
}
