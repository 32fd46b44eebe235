package dev.shardflow.router.query;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.router.query.QueryShape.Aggregate;
import dev.shardflow.router.query.QueryShape.Mode;
import dev.shardflow.router.query.QueryShape.OrderItem;
import java.util.ArrayList;
import java.util.List;

/**
 * The statement one shard runs for a {@link QueryShape}. Its columns: the answer's own (or, for groups that span
 * shards, the grouped expressions then each aggregate's parts), then one hidden column per ORDER BY item, then — when
 * the shard may hold rows it does not own — the owner key. A shard that limits its rows orders them exactly as the
 * merge does ({@link ValueOrder}): text by code point, NULLs where the statement put them.
 */
final class ShardSql {
    private ShardSql() {}

    /**
     * @param ownerKey add the owner-key column (and, for merged groups, group by it)
     * @param fetch the LIMIT this shard applies (ordering its rows first), or null for all of them
     * @param textOrder which ORDER BY items are text (ordered by code point), known from a first answer; may be null
     *     when {@code fetch} is 0
     */
    static String of(QueryShape shape, Engine engine, boolean ownerKey, Long fetch, boolean[] textOrder) {
        if (shape.mode() == Mode.ONE_SHARD) {
            return shape.selectList();
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        List<String> columns = new ArrayList<>();
        List<String> grouping = new ArrayList<>();
        if (shape.mode() == Mode.MERGED_GROUPS) {
            for (int g = 0; g < shape.groups().size(); g++) {
                columns.add(shape.groups().get(g) + " AS sf_g" + g);
                grouping.add(shape.groups().get(g));
            }
            for (int a = 0; a < shape.aggregates().size(); a++) {
                Aggregate aggregate = shape.aggregates().get(a);
                String argument = (aggregate.distinct() ? "DISTINCT " : "") + aggregate.argument();
                switch (aggregate.kind()) {
                    case AVG -> {
                        columns.add("SUM(" + argument + ") AS sf_a" + a + "s");
                        columns.add("COUNT(" + argument + ") AS sf_a" + a + "c");
                    }
                    default -> columns.add(aggregate.kind() + "(" + argument + ") AS sf_a" + a);
                }
            }
        } else {
            if (shape.distinct()) {
                sql.append("DISTINCT ");
            }
            columns.add(shape.selectList());
            for (int o = 0; o < shape.order().size(); o++) {
                columns.add(shape.order().get(o).expression() + " AS sf_o" + o);
            }
        }
        if (ownerKey) {
            columns.add(shape.ownerKey() + " AS sf_key");
            grouping.add(shape.ownerKey());
        }
        sql.append(String.join(", ", columns)).append(" FROM ").append(shape.from());
        if (shape.where() != null) {
            sql.append(" WHERE ").append(shape.where());
        }
        if (shape.mode() == Mode.MERGED_GROUPS) {
            if (!grouping.isEmpty()) {
                sql.append(" GROUP BY ").append(String.join(", ", grouping));
            }
        } else if (shape.groupBy() != null) {
            sql.append(" GROUP BY ").append(shape.groupBy());
        }
        if (shape.having() != null) {
            sql.append(" HAVING ").append(shape.having());
        }
        if (fetch != null) {
            if (fetch > 0 && !shape.order().isEmpty()) {
                List<String> order = new ArrayList<>();
                for (int o = 0; o < shape.order().size(); o++) {
                    order.add(orderBy(shape.order().get(o), textOrder != null && textOrder[o], engine));
                }
                sql.append(" ORDER BY ").append(String.join(", ", order));
            }
            sql.append(" LIMIT ").append(fetch);
        }
        return sql.toString();
    }

    /** How many hidden columns follow the answer's own in a shard's rows of a non-merged shape. */
    static int hiddenOrderColumns(QueryShape shape) {
        return shape.mode() == Mode.MERGED_GROUPS || shape.mode() == Mode.ONE_SHARD ? 0 : shape.order().size();
    }

    static String orderBy(OrderItem item, boolean text, Engine engine) {
        String direction = item.ascending() ? " ASC" : " DESC";
        String expression = "(" + item.expression() + ")";
        if (engine == Engine.POSTGRESQL) {
            return expression + (text ? " COLLATE \"C\"" : "") + direction
                    + (item.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
        }
        // MariaDB/MySQL have no NULLS FIRST/LAST; a binary cast orders UTF-8 text by its bytes, which is code point
        return expression + " IS NULL" + (item.nullsFirst() ? " DESC" : " ASC") + ", "
                + (text ? "CAST(" + expression + " AS BINARY)" : expression) + direction;
    }
}
