package dev.shardflow.cli.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.Output;
import dev.shardflow.cli.crossshard.ShardConnections;
import dev.shardflow.cli.crossshard.ShardsOption;
import dev.shardflow.cli.recovery.KafkaOptions;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.schema.SchemaComparison;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.CatalogTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shardctl schema}: the managed tables as each shard defines them. */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "The keyspace's tables as each shard "
        + "defines them.", subcommands = {SchemaCommand.Diff.class})
public final class SchemaCommand {

    private SchemaCommand() {}

    @Command(name = "diff", mixinStandardHelpOptions = true, description = "Compare the managed tables on every "
            + "shard (columns, types across engines, NULL, primary key) and name each difference with the shards on "
            + "each side. Exit 0 when they agree, 3 when they differ, 4 when a shard cannot be read.")
    static final class Diff implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Mixin
        Output output;

        @Spec
        CommandSpec spec;

        @Mixin
        ShardsOption shards;

        @Override
        public Integer call() {
            Topology file = kafka.topology();
            Placement placement = shards.placement(kafka);
            List<SchemaComparison> comparisons = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            try (ShardConnections pools = new ShardConnections("schema", placement, Duration.ofSeconds(10))) {
                Map<String, Map<String, Optional<TableDefinition>>> byTable = new LinkedHashMap<>();
                file.tables().forEach(t -> byTable.put(t.name(), new LinkedHashMap<>()));
                for (ShardSpec shard : pools.shards()) {
                    try (Connection connection = pools.pool(shard.id()).getConnection()) {
                        for (TableSpec table : file.tables()) {
                            byTable.get(table.name()).put(shard.id(), CatalogTable.read(connection, shard.engine(),
                                    table.name()).map(CatalogTable::definition));
                        }
                    } catch (SQLException e) {
                        unreadable.add(shard.id() + ": " + e.getMessage());
                    }
                }
                byTable.forEach((table, shards) -> comparisons.add(SchemaComparison.of(table, shards)));
            }
            ObjectNode json = EventJson.mapper().createObjectNode();
            ArrayNode differences = json.putArray("differences");
            comparisons.forEach(c -> c.differences().forEach(d -> differences.addObject().put("kind", d.kind().name())
                    .put("table", d.table()).put("column", d.column()).put("text", d.describe())
                    .set("shards", EventJson.mapper().valueToTree(d.shardsByValue()))));
            ArrayNode failed = json.putArray("unreadable");
            unreadable.forEach(failed::add);
            long count = differences.size();
            output.print(spec.commandLine().getOut(), json, ignored -> {
                StringBuilder text = new StringBuilder();
                comparisons.forEach(c -> c.differences().forEach(d -> text.append(d.describe()).append('\n')));
                unreadable.forEach(u -> text.append("cannot read ").append(u).append('\n'));
                return text.append(count == 0 ? "the managed tables agree on every shard read"
                        : count + " difference(s)").toString();
            });
            return !unreadable.isEmpty() ? ExitCodes.UNREACHABLE : count > 0 ? ExitCodes.MISMATCH : ExitCodes.OK;
        }
    }
}
