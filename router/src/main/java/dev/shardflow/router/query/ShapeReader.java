package dev.shardflow.router.query;

import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.query.QueryShape.Aggregate;
import dev.shardflow.router.query.QueryShape.Mode;
import dev.shardflow.router.query.QueryShape.OrderItem;
import dev.shardflow.router.query.QueryShape.Output;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Reads a SELECT into its {@link QueryShape}, or refuses it with what to change: a statement is scattered only when
 * its merged answer is exact. One Statement: one SELECT over tables of the keyspace (joined tables are expected to be
 * co-located, as the keyspace places children with their parents), no subquery, no window function; where groups span
 * shards, each output column is a grouped expression or one COUNT, SUM, AVG, MIN or MAX, and there is no HAVING.
 *
 * <p>One role in one file, longer than most: every rule that decides whether a merge is exact reads the same parsed
 * statement, and each refusal names the rule it broke; split, the rules would have to agree on a shared half-read
 * state.
 */
final class ShapeReader {
    private final Topology topology;
    private final List<Object> params;

    private ShapeReader(Topology topology, List<Object> params) {
        this.topology = topology;
        this.params = params;
    }

    static QueryShape read(String sql, List<Object> params, Topology topology) throws QueryRefusedException {
        Statement statement;
        try {
            statement = CCJSqlParserUtil.parse(sql);
        } catch (JSQLParserException e) {
            throw new QueryRefusedException("the statement cannot be read as SQL: " + firstLine(e), e);
        }
        if (!(statement instanceof Select)) {
            throw new QueryRefusedException("only a SELECT runs across shards; write through ShardRouter.write, "
                    + "which runs on the key's owner");
        }
        if (!(statement instanceof PlainSelect select)) {
            throw new QueryRefusedException("a UNION, INTERSECT, VALUES or parenthesized SELECT does not run across "
                    + "shards; run each SELECT on its own");
        }
        return new ShapeReader(topology, params).shape(select);
    }

    private QueryShape shape(PlainSelect select) throws QueryRefusedException {
        refuseUnsupportedClauses(select);
        Map<String, TableSpec> tables = tables(select); // by the name or alias the statement uses
        String from = select.getFromItem() + (select.getJoins() == null ? ""
                : select.getJoins().stream().map(j -> (j.isSimple() ? ", " : " ") + j).collect(Collectors.joining()));
        List<SelectItem<?>> items = select.getSelectItems();
        int bound = 0;
        List<SqlNodes.Found> found = new ArrayList<>();
        for (SelectItem<?> item : items) {
            found.add(checked(SqlNodes.walk(item.getExpression()), "the select list"));
        }
        int selectParams = found.stream().mapToInt(SqlNodes.Found::parameters).sum();
        int fromParams = 0;
        for (Join join : select.getJoins() == null ? List.<Join>of() : select.getJoins()) {
            for (Expression on : join.getOnExpressions()) {
                fromParams += checked(SqlNodes.walk(on), "a join condition").parameters();
            }
        }
        SqlNodes.Found where = checked(SqlNodes.walk(select.getWhere()), "WHERE");
        if (!where.aggregates().isEmpty()) {
            throw new QueryRefusedException("an aggregate in WHERE is not valid SQL; use HAVING");
        }
        SqlNodes.Found having = checked(SqlNodes.walk(select.getHaving()), "HAVING");
        bound = selectParams + fromParams + where.parameters() + having.parameters();

        if (tables.values().stream().allMatch(t -> t.placement() == TableSpec.Placement.REFERENCE)) {
            return new QueryShape(Mode.ONE_SHARD, false, select.toString(), List.of(), List.of(), List.of(), from,
                    null, null, null, List.of(), null, 0, params.size(), null, null);
        }

        List<Expression> groupBy = groupBy(select, items);
        boolean distinct = select.getDistinct() != null;
        boolean aggregated = distinct || !groupBy.isEmpty() || found.stream().anyMatch(f -> !f.aggregates().isEmpty());
        if (select.getHaving() != null && !aggregated) {
            throw new QueryRefusedException("HAVING without GROUP BY or an aggregate");
        }
        List<Expression> grouped = distinct && groupBy.isEmpty()
                ? items.stream().<Expression>map(SelectItem::getExpression).toList() : groupBy;
        Optional<String> shardKeyGroup = grouped.stream().filter(e -> isShardKey(e, tables))
                .map(Object::toString).findFirst();
        Mode mode = !aggregated ? Mode.ROWS : shardKeyGroup.isPresent() ? Mode.LOCAL_GROUPS : Mode.MERGED_GROUPS;

        String ownerKey = mode == Mode.LOCAL_GROUPS ? shardKeyGroup.get() : drivingShardKey(select, tables);
        String noOwnerKey = ownerKey != null ? null : "the statement reads no table placed by its own shard key ("
                + String.join(", ", tables.values().stream().map(TableSpec::name).distinct().toList()) + "): join "
                + "the table its rows follow, so that each row's owner is known";

        Limits limits = limits(select, bound);
        if (params.size() != bound + limits.parameters()) {
            throw new QueryRefusedException("the statement has " + (bound + limits.parameters()) + " parameter(s) "
                    + "and " + params.size() + " were given");
        }
        String where1 = select.getWhere() == null ? null : select.getWhere().toString();
        if (mode != Mode.MERGED_GROUPS) {
            List<OrderItem> order = localOrder(select, items);
            return new QueryShape(mode, distinct, items.stream().map(Object::toString).collect(Collectors.joining(", ")),
                    List.of(), List.of(), List.of(), from, where1,
                    groupBy.isEmpty() ? null : groupBy.stream().map(Object::toString).collect(Collectors.joining(", ")),
                    select.getHaving() == null ? null : select.getHaving().toString(), order, limits.limit(),
                    limits.offset(), bound, ownerKey, noOwnerKey);
        }
        if (select.getHaving() != null) {
            throw new QueryRefusedException("HAVING on groups that span shards would be decided by each shard's part "
                    + "of a group; group by the shard key, or filter the merged groups in the application");
        }
        if (distinct && !groupBy.isEmpty()) {
            throw new QueryRefusedException("SELECT DISTINCT with GROUP BY on groups that span shards; drop DISTINCT "
                    + "(the merged groups are distinct already) or group by what DISTINCT names");
        }
        if (selectParams > 0) {
            throw new QueryRefusedException("a parameter in the select list of a statement whose groups span shards; "
                    + "put it in WHERE");
        }
        return merged(select, items, found, grouped, tables, from, where1, limits, bound, ownerKey, noOwnerKey);
    }

    private QueryShape merged(PlainSelect select, List<SelectItem<?>> items, List<SqlNodes.Found> found,
            List<Expression> grouped, Map<String, TableSpec> tables, String from, String where, Limits limits,
            int bound, String ownerKey, String noOwnerKey) throws QueryRefusedException {
        List<String> groups = new ArrayList<>();
        for (Expression group : grouped) {
            if (SqlNodes.walk(group).parameters() > 0) {
                throw new QueryRefusedException("a parameter in GROUP BY: " + group);
            }
            groups.add(group.toString());
        }
        Map<Aggregate, Integer> aggregates = new LinkedHashMap<>();
        List<Output> outputs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            SelectItem<?> item = items.get(i);
            String name = item.getAlias() != null ? SqlNodes.bare(item.getAlias().getName()) : item.toString();
            outputs.add(new Output(name, mergedValue(item.getExpression(), found.get(i), groups, aggregates, tables)));
        }
        List<OrderItem> order = new ArrayList<>();
        for (OrderByElement element : orderBy(select)) {
            Expression expression = resolve(element.getExpression(), items);
            int value = mergedValue(expression, checked(SqlNodes.walk(expression), "ORDER BY"), groups, aggregates,
                    tables);
            order.add(new OrderItem(expression.toString(), value, element.isAsc(), nullsFirst(element)));
        }
        return new QueryShape(Mode.MERGED_GROUPS, false, null, groups, List.copyOf(aggregates.keySet()), outputs,
                from, where, null, null, order, limits.limit(), limits.offset(), bound, ownerKey, noOwnerKey);
    }

    /** Where an expression's value is among the merged values: a grouped expression, or one aggregate. */
    private int mergedValue(Expression expression, SqlNodes.Found found, List<String> groups,
            Map<Aggregate, Integer> aggregates, Map<String, TableSpec> tables) throws QueryRefusedException {
        String text = SqlNodes.comparable(expression);
        for (int g = 0; g < groups.size(); g++) {
            if (SqlNodes.comparable(groups.get(g)).equals(text)) {
                return g;
            }
        }
        if (found.aggregates().isEmpty()) {
            throw new QueryRefusedException(expression + " is neither grouped nor an aggregate");
        }
        if (!(expression instanceof Function function) || found.aggregates().size() != 1) {
            throw new QueryRefusedException(expression + " combines aggregates in one expression, which cannot be "
                    + "merged from the shards' parts; select each aggregate on its own and combine them in the "
                    + "application");
        }
        Aggregate aggregate = aggregate(function, tables);
        Integer at = aggregates.get(aggregate);
        if (at == null) {
            at = aggregates.size();
            aggregates.put(aggregate, at);
        }
        return groups.size() + at;
    }

    private Aggregate aggregate(Function function, Map<String, TableSpec> tables) throws QueryRefusedException {
        Aggregate.Kind kind = Aggregate.Kind.valueOf(function.getName().toUpperCase(Locale.ROOT));
        if (function.isAllColumns()) {
            return new Aggregate(kind, "*", false);
        }
        if (function.getParameters() == null || function.getParameters().size() != 1) {
            throw new QueryRefusedException(function + ": an aggregate of one expression is merged, not of "
                    + (function.getParameters() == null ? "none" : function.getParameters().size()));
        }
        Expression argument = (Expression) function.getParameters().get(0);
        if (SqlNodes.walk(argument).parameters() > 0) {
            throw new QueryRefusedException("a parameter in " + function);
        }
        boolean distinct = function.isDistinct() && kind != Aggregate.Kind.MIN && kind != Aggregate.Kind.MAX;
        if (distinct && (kind != Aggregate.Kind.COUNT || !isShardKey(argument, tables))) {
            throw new QueryRefusedException(function + " cannot be merged from per-shard parts: one value may be on "
                    + "several shards. Only COUNT(DISTINCT <shard key>) is; otherwise SELECT DISTINCT the values and "
                    + "count the rows");
        }
        return new Aggregate(kind, argument.toString(), distinct);
    }

    /** ORDER BY in a statement whose shards order their own final rows or groups. */
    private List<OrderItem> localOrder(PlainSelect select, List<SelectItem<?>> items) throws QueryRefusedException {
        List<OrderItem> order = new ArrayList<>();
        for (OrderByElement element : orderBy(select)) {
            Expression expression = resolve(element.getExpression(), items);
            if (SqlNodes.walk(expression).parameters() > 0) {
                throw new QueryRefusedException("a parameter in ORDER BY: " + element);
            }
            order.add(new OrderItem(expression.toString(), -1, element.isAsc(), nullsFirst(element)));
        }
        return order;
    }

    /** An ORDER BY or GROUP BY item as the expression it names: a position or an alias becomes its select item's. */
    private static Expression resolve(Expression expression, List<SelectItem<?>> items) throws QueryRefusedException {
        if (expression instanceof LongValue position) {
            long p = position.getValue();
            if (p < 1 || p > items.size() || items.get((int) p - 1).getExpression() instanceof AllColumns) {
                throw new QueryRefusedException("position " + p + " names no column of the select list; name the "
                        + "column instead");
            }
            return items.get((int) p - 1).getExpression();
        }
        if (expression instanceof Column column && column.getTable() == null) {
            String name = SqlNodes.bare(column.getColumnName());
            for (SelectItem<?> item : items) {
                if (item.getAlias() != null && SqlNodes.bare(item.getAlias().getName()).equals(name)) {
                    return item.getExpression();
                }
            }
        }
        return expression;
    }

    private static List<Expression> groupBy(PlainSelect select, List<SelectItem<?>> items)
            throws QueryRefusedException {
        if (select.getGroupBy() == null) {
            return List.of();
        }
        if (select.getGroupBy().getGroupingSets() != null && !select.getGroupBy().getGroupingSets().isEmpty()
                || select.getGroupBy().isMysqlWithRollup()) {
            throw new QueryRefusedException("GROUPING SETS, ROLLUP and CUBE do not run across shards");
        }
        List<Expression> groups = new ArrayList<>();
        for (Object expression : select.getGroupBy().getGroupByExpressionList()) {
            groups.add(resolve((Expression) expression, items));
        }
        return groups;
    }

    private static List<OrderByElement> orderBy(PlainSelect select) {
        return select.getOrderByElements() == null ? List.of() : select.getOrderByElements();
    }

    /** NULLs sort as the largest value (PostgreSQL's default) unless the statement says otherwise. */
    private static boolean nullsFirst(OrderByElement element) {
        if (element.getNullOrdering() != null) {
            return element.getNullOrdering() == OrderByElement.NullOrdering.NULLS_FIRST;
        }
        return !element.isAsc();
    }

    private record Limits(Long limit, long offset, int parameters) {}

    private Limits limits(PlainSelect select, int bound) throws QueryRefusedException {
        Long limit = null;
        long offset = 0;
        int[] used = {0};
        if (select.getLimit() != null) {
            if (select.getLimit().getOffset() != null) { // MySQL's LIMIT offset, count
                offset = number(select.getLimit().getOffset(), bound, used, "OFFSET");
            }
            Expression count = select.getLimit().getRowCount();
            if (count != null && !(count instanceof NullValue) && !"ALL".equalsIgnoreCase(count.toString())) {
                limit = number(count, bound, used, "LIMIT");
            }
        }
        if (select.getOffset() != null) {
            offset = number(select.getOffset().getOffset(), bound, used, "OFFSET");
        }
        return new Limits(limit, offset, used[0]);
    }

    /** A LIMIT or OFFSET: a literal, or the caller's next parameter after the {@code bound} ones and those used. */
    private long number(Expression expression, int bound, int[] used, String clause) throws QueryRefusedException {
        Object value = expression;
        if (expression instanceof JdbcParameter) {
            int parameter = bound + used[0]++;
            if (parameter >= params.size()) {
                throw new QueryRefusedException(clause + " is a parameter and no value was given for it");
            }
            value = params.get(parameter);
        } else if (expression instanceof LongValue literal) {
            value = literal.getValue();
        }
        long n;
        try {
            n = value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new QueryRefusedException(clause + " must be a whole number, not " + value);
        }
        if (n < 0) {
            throw new QueryRefusedException(clause + " " + n + " is negative");
        }
        return n;
    }

    private Map<String, TableSpec> tables(PlainSelect select) throws QueryRefusedException {
        Map<String, TableSpec> tables = new LinkedHashMap<>();
        List<FromItem> items = new ArrayList<>();
        items.add(select.getFromItem());
        if (select.getJoins() != null) {
            select.getJoins().forEach(join -> items.add(join.getRightItem()));
        }
        for (FromItem item : items) {
            if (!(item instanceof Table table)) {
                throw new QueryRefusedException(item == null ? "the statement reads no table"
                        : "FROM " + item + ": only tables of keyspace " + topology.keyspace() + " run across shards, "
                        + "not a subquery or a function");
            }
            String name = SqlNodes.bare(table.getName());
            TableSpec spec = topology.tables().stream().filter(t -> t.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new QueryRefusedException("table " + table.getName() + " is not a table of "
                            + "keyspace " + topology.keyspace() + " (its tables: " + topology.tables().stream()
                            .map(TableSpec::name).collect(Collectors.joining(", ")) + ")"));
            tables.put(table.getAlias() != null ? SqlNodes.bare(table.getAlias().getName()) : name, spec);
        }
        return tables;
    }

    /** True when the expression is the shard-key column of a table of the statement placed by its own key. */
    private static boolean isShardKey(Expression expression, Map<String, TableSpec> tables) {
        if (!(expression instanceof Column column)) {
            return false;
        }
        String name = SqlNodes.bare(column.getColumnName());
        String qualifier = column.getTable() == null || column.getTable().getName() == null ? null
                : SqlNodes.bare(column.getTable().getName());
        return tables.entrySet().stream().anyMatch(t -> t.getValue().placement() == TableSpec.Placement.SHARD_KEY
                && t.getValue().shardKeyColumn().equalsIgnoreCase(name)
                && (qualifier == null || qualifier.equals(t.getKey())));
    }

    /** The shard key of the first table placed by its own key, qualified as the statement names that table. */
    private static String drivingShardKey(PlainSelect select, Map<String, TableSpec> tables) {
        return tables.entrySet().stream().filter(t -> t.getValue().placement() == TableSpec.Placement.SHARD_KEY)
                .findFirst().map(t -> t.getKey() + "." + t.getValue().shardKeyColumn()).orElse(null);
    }

    private static void refuseUnsupportedClauses(PlainSelect select) throws QueryRefusedException {
        if (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty()) {
            throw new QueryRefusedException("WITH: a common table expression runs on each shard alone; inline it or "
                    + "run it as its own query");
        }
        if (select.getIntoTables() != null || select.getIntoTempTable() != null) {
            throw new QueryRefusedException("SELECT INTO writes; only reads run across shards");
        }
        if (select.getForMode() != null) {
            throw new QueryRefusedException("SELECT ... FOR UPDATE/SHARE locks rows; lock them through "
                    + "ShardRouter.write on their owner");
        }
        if (select.getFetch() != null || select.getTop() != null || select.getFirst() != null
                || select.getSkip() != null || select.getLimitBy() != null) {
            throw new QueryRefusedException("use LIMIT and OFFSET to limit the rows");
        }
        if (select.getDistinct() != null && (select.getDistinct().getOnSelectItems() != null)) {
            throw new QueryRefusedException("DISTINCT ON does not run across shards");
        }
        if (select.getWindowDefinitions() != null || select.getQualify() != null) {
            throw new QueryRefusedException("window functions see each shard's rows alone; they do not run across "
                    + "shards");
        }
    }

    private static SqlNodes.Found checked(SqlNodes.Found found, String where) throws QueryRefusedException {
        if (found.window()) {
            throw new QueryRefusedException("a window function in " + where + " sees each shard's rows alone; it does "
                    + "not run across shards");
        }
        if (found.subquery()) {
            throw new QueryRefusedException("a subquery in " + where + " runs on each shard alone and would miss rows "
                    + "on the others; run it as its own query");
        }
        return found;
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
