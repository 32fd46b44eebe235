package dev.shardflow.router.query;

import dev.shardflow.router.query.QueryShape.Aggregate;
import dev.shardflow.router.query.QueryShape.Mode;
import dev.shardflow.router.query.QueryShape.OrderItem;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the shards' answers together into one. Rows and groups that live on one shard are concatenated, ordered and
 * limited; groups that span shards are merged part by part — counts and sums added, AVG as the sum of the sums over
 * the sum of the counts (never an average of averages), MIN and MAX compared — and only then ordered and limited, so
 * a group whose rows are spread over shards is ranked by its whole.
 */
final class PartialMerge {
    private PartialMerge() {}

    /**
     * @param rows every shard's rows, owner-key column already removed: for a non-merged shape the answer's columns
     *     then one column per ORDER BY item; for merged groups the grouped values then each aggregate's parts
     * @return the answer's rows
     */
    static List<List<Object>> merge(QueryShape shape, List<Object[]> rows) {
        if (shape.mode() != Mode.MERGED_GROUPS) {
            int hidden = ShardSql.hiddenOrderColumns(shape);
            List<Object[]> sorted = new ArrayList<>(rows);
            if (!rows.isEmpty() && hidden > 0) {
                int first = rows.get(0).length - hidden;
                sorted.sort(order(shape.order(), o -> first + o));
            }
            return page(shape, sorted, row -> Arrays.asList(row).subList(0, row.length - hidden));
        }
        Map<List<Object>, Object[]> groups = new LinkedHashMap<>();
        Map<List<Object>, Accumulator[]> sums = new LinkedHashMap<>();
        int g = shape.groups().size();
        for (Object[] row : rows) {
            List<Object> key = new ArrayList<>(g);
            for (int i = 0; i < g; i++) {
                key.add(ValueOrder.key(row[i]));
            }
            groups.putIfAbsent(key, Arrays.copyOf(row, g));
            Accumulator[] accumulators = sums.computeIfAbsent(key, k -> accumulators(shape.aggregates()));
            int column = g;
            for (Accumulator accumulator : accumulators) {
                accumulator.add(row, column);
                column += accumulator.aggregate.parts();
            }
        }
        if (g == 0 && groups.isEmpty()) { // an aggregate without GROUP BY answers one row, even over no rows
            groups.put(List.of(), new Object[0]);
            sums.put(List.of(), accumulators(shape.aggregates()));
        }
        List<Object[]> values = new ArrayList<>();
        groups.forEach((key, grouped) -> {
            Object[] merged = Arrays.copyOf(grouped, g + shape.aggregates().size());
            Accumulator[] accumulators = sums.get(key);
            for (int a = 0; a < accumulators.length; a++) {
                merged[g + a] = accumulators[a].value();
            }
            values.add(merged);
        });
        if (!shape.order().isEmpty()) {
            values.sort(order(shape.order(), o -> shape.order().get(o).value()));
        }
        return page(shape, values, merged -> shape.outputs().stream().map(out -> merged[out.value()]).toList());
    }

    private static List<List<Object>> page(QueryShape shape, List<Object[]> sorted,
            java.util.function.Function<Object[], List<Object>> columns) {
        long from = Math.min(shape.offset(), sorted.size());
        long to = shape.limit() == null ? sorted.size() : Math.min(sorted.size(), from + shape.limit());
        List<List<Object>> page = new ArrayList<>((int) (to - from));
        for (int i = (int) from; i < to; i++) {
            page.add(java.util.Collections.unmodifiableList(new ArrayList<>(columns.apply(sorted.get(i)))));
        }
        return page;
    }

    /** The statement's order over rows whose ORDER BY item {@code o} is at {@code column.applyAsInt(o)}. */
    static Comparator<Object[]> order(List<OrderItem> items, java.util.function.IntUnaryOperator column) {
        return (x, y) -> {
            for (int o = 0; o < items.size(); o++) {
                OrderItem item = items.get(o);
                Object a = x[column.applyAsInt(o)];
                Object b = y[column.applyAsInt(o)];
                int c;
                if (a == null || b == null) {
                    c = a == b ? 0 : (a == null) == item.nullsFirst() ? -1 : 1;
                } else {
                    c = ValueOrder.compare(a, b);
                    c = item.ascending() ? c : -c;
                }
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    private static Accumulator[] accumulators(List<Aggregate> aggregates) {
        return aggregates.stream().map(Accumulator::new).toArray(Accumulator[]::new);
    }

    /** One aggregate of one group, merged from the shards' parts. */
    private static final class Accumulator {
        private final Aggregate aggregate;
        private final Sum sum = new Sum();
        private long count;
        private Object best;

        Accumulator(Aggregate aggregate) {
            this.aggregate = aggregate;
        }

        void add(Object[] row, int column) {
            Object part = row[column];
            switch (aggregate.kind()) {
                case COUNT -> count += part == null ? 0 : ((Number) part).longValue();
                case SUM -> sum.add(part);
                case AVG -> {
                    sum.add(part);
                    count += row[column + 1] == null ? 0 : ((Number) row[column + 1]).longValue();
                }
                case MIN, MAX -> {
                    if (part != null && (best == null || (aggregate.kind() == Aggregate.Kind.MIN
                            ? ValueOrder.compare(part, best) < 0 : ValueOrder.compare(part, best) > 0))) {
                        best = part;
                    }
                }
            }
        }

        Object value() {
            return switch (aggregate.kind()) {
                case COUNT -> count;
                case SUM -> sum.value();
                case AVG -> count == 0 ? null : sum.dividedBy(count);
                case MIN, MAX -> best;
            };
        }
    }

    /**
     * A sum of the shards' sums in the widest type among them: whole numbers stay whole (a {@code long} while it
     * fits), decimals exact, floating point as double. Null when every part was null (SQL's SUM of no values).
     */
    private static final class Sum {
        private BigDecimal exact;
        private double floating;
        private boolean anyFloating;
        private boolean anyFraction;

        void add(Object part) {
            if (part == null) {
                return;
            }
            if (part instanceof Double || part instanceof Float) {
                anyFloating = true;
                floating += ((Number) part).doubleValue();
                return;
            }
            BigDecimal value = part instanceof BigDecimal d ? d : part instanceof BigInteger i ? new BigDecimal(i)
                    : new BigDecimal(part.toString());
            anyFraction |= part instanceof BigDecimal d && d.scale() > 0;
            exact = exact == null ? value : exact.add(value);
        }

        Object value() {
            if (exact == null && !anyFloating) {
                return null;
            }
            if (anyFloating) {
                return floating + (exact == null ? 0 : exact.doubleValue());
            }
            if (!anyFraction) {
                BigInteger whole = exact.toBigIntegerExact();
                return whole.bitLength() < 64 ? (Object) whole.longValue() : whole;
            }
            return exact;
        }

        Object dividedBy(long count) {
            Object total = value();
            if (total == null) {
                return null;
            }
            if (total instanceof Double d) {
                return d / count;
            }
            BigDecimal average = new BigDecimal(total.toString()).divide(BigDecimal.valueOf(count),
                    MathContext.DECIMAL64).stripTrailingZeros();
            return average.scale() < 0 ? average.setScale(0) : average;
        }
    }
}
