package dev.shardflow.cli.crossshard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.Output;
import dev.shardflow.cli.recovery.KafkaOptions;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.query.QueryRefusedException;
import dev.shardflow.router.query.QueryResult;
import dev.shardflow.router.query.ScatterGather;
import dev.shardflow.router.query.ScatterQuery;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shardctl query}: one SELECT on every shard of the keyspace, merged exactly, with the ownership of the state
 * on the keyspace's topology topic, so that rows a running rebalance has copied count once.
 */
@Command(name = "query", mixinStandardHelpOptions = true, description = {
    "Run one SELECT on every shard in parallel and merge the answers exactly: counts, sums, AVG (as sum over count), "
            + "MIN/MAX, GROUP BY, and a global ORDER BY ... LIMIT. A statement whose merge would not be exact is "
            + "refused with what to change.",
    "Ownership comes from the keyspace's topology topic: while a rebalance runs, each shard counts only the keys it "
            + "owns, so a copied row counts once."})
public final class QueryCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Mixin
    Output output;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SELECT", description = "The statement; ? marks a parameter.")
    String sql;

    @Parameters(index = "1..*", paramLabel = "PARAM", description = "The parameters, in order: one that reads as a "
            + "number is bound as a number, any other as text.")
    List<String> params = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long each shard may take (default ${DEFAULT-VALUE}); a slower one fails the query.")
    long timeoutSeconds;

    @Option(names = "--partial", description = "Answer without the shards that fail or time out, and name them.")
    boolean partial;

    @Option(names = "--offline", description = "Take ownership from the topology file, without Kafka. Only when no "
            + "rebalance runs: copies of a running move would count twice.")
    boolean offline;

    @Override
    public Integer call() throws SQLException {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, was " + timeoutSeconds);
        }
        Topology file = kafka.topology();
        OwnershipReader ownership = offline ? null : new OwnershipReader(kafka.connection(), file);
        Placement first = ownership == null ? Placement.steady(file) : ownership.get();
        try (ShardConnections pools = new ShardConnections("query", first, Duration.ofSeconds(Math.min(timeoutSeconds,
                30)))) {
            QueryResult result;
            try (ScatterGather gather = new ScatterGather("cli", ownership == null ? () -> first : ownership,
                    pools::pool)) {
                ScatterQuery query = new ScatterQuery(sql, params.stream().map(QueryCommand::typed).toList(),
                        Duration.ofSeconds(timeoutSeconds), partial);
                result = gather.run(query);
            } catch (QueryRefusedException refused) {
                spec.commandLine().getErr().println("shardctl: the statement is refused: " + refused.getMessage());
                return ExitCodes.USAGE;
            }
            print(result, ownership == null);
            return result.complete() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    /** A parameter as typed on the command line: a whole number, a decimal, or text. */
    static Object typed(String param) {
        if (param.matches("-?\\d{1,18}")) {
            return Long.parseLong(param);
        }
        if (param.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")) {
            return new BigDecimal(param);
        }
        return param;
    }

    private void print(QueryResult result, boolean fromFile) {
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode json = EventJson.mapper().createObjectNode();
        json.set("columns", EventJson.mapper().valueToTree(result.columns()));
        ArrayNode rows = json.putArray("rows");
        result.rows().forEach(row -> rows.add(EventJson.mapper().valueToTree(row.stream().map(QueryCommand::printable)
                .toList())));
        json.put("epoch", result.epoch());
        json.put("ownership", fromFile ? "topology file" : "topology topic");
        json.put("rebalancing", result.rebalancing());
        json.put("merge", result.merge());
        json.set("shards", EventJson.mapper().valueToTree(result.shards()));
        json.set("missing", EventJson.mapper().valueToTree(result.missing()));
        output.print(out, json, ignored -> text(result, fromFile));
    }

    /** Values JSON carries as they are; anything else (dates, bytes) as its text. */
    private static Object printable(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean || value instanceof String) {
            return value;
        }
        return value instanceof byte[] bytes ? Arrays.toString(bytes) : value.toString();
    }

    private static String text(QueryResult result, boolean fromFile) {
        List<List<String>> cells = new ArrayList<>();
        cells.add(result.columns());
        for (List<Object> row : result.rows()) {
            cells.add(row.stream().map(v -> v == null ? "NULL" : String.valueOf(printable(v))).toList());
        }
        int[] widths = new int[result.columns().size()];
        for (List<String> row : cells) {
            for (int i = 0; i < widths.length && i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            List<String> row = cells.get(r);
            for (int i = 0; i < widths.length; i++) {
                String cell = i < row.size() ? row.get(i) : "";
                text.append(i == 0 ? "" : "  ").append(cell).append(" ".repeat(widths[i] - cell.length()));
            }
            text.append('\n');
            if (r == 0) {
                for (int i = 0; i < widths.length; i++) {
                    text.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
                }
                text.append('\n');
            }
        }
        text.append(result.rows().size()).append(" row(s), epoch ").append(result.epoch())
                .append(fromFile ? " (from the topology file)" : "").append('\n');
        text.append("merge: ").append(result.merge()).append('\n');
        text.append("shards: ").append(result.shards().entrySet().stream().map(s -> s.getKey() + " "
                + s.getValue().rowsRead() + " row(s) in " + s.getValue().millis() + " ms"
                + (s.getValue().notOwned() > 0 ? ", " + s.getValue().notOwned() + " not owned left out" : ""))
                .collect(Collectors.joining("; ")));
        result.missing().forEach((shard, why) -> text.append("\nMISSING ").append(shard).append(": ").append(why));
        return text.toString();
    }
}
