package dev.shardflow.router.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

/** What a parsed expression holds that decides how it can be scattered: aggregates, parameters, windows, subqueries. */
final class SqlNodes {
    static final Set<String> AGGREGATES = Set.of("COUNT", "SUM", "AVG", "MIN", "MAX");

    /** What one walk of an expression found. */
    record Found(List<Function> aggregates, int parameters, boolean window, boolean subquery) {}

    private SqlNodes() {}

    static Found walk(Expression expression) {
        List<Function> aggregates = new ArrayList<>();
        int[] parameters = {0};
        boolean[] window = {false};
        boolean[] subquery = {false};
        if (expression == null) {
            return new Found(aggregates, 0, false, false);
        }
        expression.accept(new ExpressionVisitorAdapter<Void>() {
            @Override
            public <S> Void visit(Function function, S context) {
                if (isAggregate(function)) {
                    aggregates.add(function);
                }
                return super.visit(function, context);
            }

            @Override
            public <S> Void visit(JdbcParameter parameter, S context) {
                parameters[0]++;
                return null;
            }

            @Override
            public <S> Void visit(AnalyticExpression analytic, S context) {
                window[0] = true;
                return super.visit(analytic, context);
            }

            @Override
            public <S> Void visit(ParenthesedSelect select, S context) {
                subquery[0] = true;
                return null;
            }

            @Override
            public <S> Void visit(Select select, S context) {
                subquery[0] = true;
                return null;
            }
        }, null);
        return new Found(aggregates, parameters[0], window[0], subquery[0]);
    }

    static boolean isAggregate(Function function) {
        return AGGREGATES.contains(function.getName().toUpperCase(Locale.ROOT));
    }

    /** The text two expressions are compared by: their printed form, without case or spaces. */
    static String comparable(Object expression) {
        return expression.toString().replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    }

    /** An identifier without its quotes, in lower case (both engines fold unquoted names this way or ignore case). */
    static String bare(String identifier) {
        String name = identifier;
        if (name.length() >= 2 && (name.startsWith("\"") && name.endsWith("\"")
                || name.startsWith("`") && name.endsWith("`"))) {
            name = name.substring(1, name.length() - 1);
        }
        return name.toLowerCase(Locale.ROOT);
    }
}
