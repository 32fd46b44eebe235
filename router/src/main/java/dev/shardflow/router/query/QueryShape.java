package dev.shardflow.router.query;

import java.util.List;
import java.util.Objects;

/**
 * What a scatter-gather statement asks for, read once from its SQL by {@link ShapeReader}: how its answer is put
 * together from the shards' answers, and the pieces each shard's own statement is built from ({@link ShardSql}).
 *
 * @param mode how the shards' answers merge
 * @param distinct the statement said {@code SELECT DISTINCT} (kept on each shard in {@link Mode#ROWS} and
 *     {@link Mode#LOCAL_GROUPS})
 * @param selectList the statement's own select list, as written ({@code ROWS}, {@code LOCAL_GROUPS}, {@code ONE_SHARD})
 * @param groups the grouping expressions ({@code MERGED_GROUPS}: each shard returns them first)
 * @param aggregates the aggregates each shard computes a part of ({@code MERGED_GROUPS})
 * @param outputs the answer's columns as indexes into the merged values: groups first, then aggregates
 *     ({@code MERGED_GROUPS}; the other modes answer with the shards' own columns)
 * @param from the FROM clause with its joins, as written
 * @param where the WHERE condition, or null
 * @param groupBy the GROUP BY list as written ({@code LOCAL_GROUPS}), or null
 * @param having the HAVING condition ({@code LOCAL_GROUPS}), or null
 * @param order the ORDER BY items
 * @param limit the LIMIT, or null for every row
 * @param offset the OFFSET
 * @param bound how many of the caller's parameters the statement binds (those of WHERE and HAVING); LIMIT and OFFSET
 *     given as parameters are read into {@code limit} and {@code offset} instead
 * @param ownerKey the shard-key expression whose owner decides which shard's copy of a row counts while a rebalance
 *     runs, or null when the statement's tables have none
 * @param noOwnerKey why there is no owner key (for the error raised if a rebalance runs), or null
 */
record QueryShape(Mode mode, boolean distinct, String selectList, List<String> groups, List<Aggregate> aggregates,
        List<Output> outputs, String from, String where, String groupBy, String having, List<OrderItem> order,
        Long limit, long offset, int bound, String ownerKey, String noOwnerKey) {

    /** How the shards' answers become one answer. */
    enum Mode {
        /** rows, not groups: each shard's rows are final; merged in the statement's order */
        ROWS,
        /** groups that each live on one shard (grouped by the shard key): each shard's groups are final */
        LOCAL_GROUPS,
        /** groups or aggregates that span shards: each shard returns partial aggregates, merged here */
        MERGED_GROUPS,
        /** reference tables only: any one shard holds the whole answer */
        ONE_SHARD
    }

    /** One aggregate of a {@link Mode#MERGED_GROUPS} statement; {@code argument} is {@code *} for COUNT(*). */
    record Aggregate(Kind kind, String argument, boolean distinct) {
        enum Kind { COUNT, SUM, AVG, MIN, MAX }

        /** How many columns a shard returns for it: AVG returns its SUM and its COUNT. */
        int parts() {
            return kind == Kind.AVG ? 2 : 1;
        }
    }

    /** A column of a merged answer: its label and where its value is among the merged values. */
    record Output(String name, int value) {}

    /**
     * One ORDER BY item: the expression each shard orders by and returns as a hidden column ({@code ROWS},
     * {@code LOCAL_GROUPS}), or the merged value ordered by ({@code MERGED_GROUPS}).
     */
    record OrderItem(String expression, int value, boolean ascending, boolean nullsFirst) {}

    QueryShape {
        Objects.requireNonNull(mode, "mode");
        groups = List.copyOf(groups);
        aggregates = List.copyOf(aggregates);
        outputs = List.copyOf(outputs);
        order = List.copyOf(order);
    }

    /** True when each shard may apply ORDER BY and LIMIT itself: its rows or groups are final. */
    boolean limitPushedDown() {
        return limit != null && (mode == Mode.ROWS || mode == Mode.LOCAL_GROUPS);
    }

    /** What a caller is told about how the answer was put together. */
    String explain() {
        return switch (mode) {
            case ROWS -> "rows: each shard's rows" + (limit != null && !order.isEmpty()
                    ? " (its first " + (offset + limit) + " in the statement's order)" : "")
                    + " merged" + (order.isEmpty() ? "" : " in that order");
            case LOCAL_GROUPS -> "grouped by the shard key: each group lives on one shard, so every shard's groups are "
                    + "final; merged" + (order.isEmpty() ? "" : " in the statement's order")
                    + (limit != null ? " and limited on each shard and again here" : "");
            case MERGED_GROUPS -> "groups that span shards: every shard returned the partial aggregates of all its "
                    + "groups" + (aggregates.stream().anyMatch(a -> a.kind() == Aggregate.Kind.AVG)
                            ? " (AVG as its SUM and COUNT)" : "")
                    + ", merged here" + (order.isEmpty() ? "" : ", then ordered") + (limit != null ? " and limited" : "");
            case ONE_SHARD -> "reference tables only: read from one shard, which holds a whole copy";
        };
    }
}
