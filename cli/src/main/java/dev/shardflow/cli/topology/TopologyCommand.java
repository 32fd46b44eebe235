package dev.shardflow.cli.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.ApiCommand;
import dev.shardflow.core.config.TopologyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shardctl topology}: the ring in force, and a whole new topology to move to. */
@Command(name = "topology", mixinStandardHelpOptions = true, description = "Show the topology in force, or plan a "
        + "rebalance to a new topology file.", subcommands = {TopologyCommand.Show.class, TopologyCommand.Apply.class})
public final class TopologyCommand {

    private TopologyCommand() {}

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The epoch in force, its shards with their share of the ring, and any rebalance or hold; "
                    + "with --rows, each shard's rows per table counted on the shards, warning above a share.")
    static final class Show extends ApiCommand {
        @Option(names = "--rows", description = "Count each shard's rows per table (COUNT(*) on every shard) and "
                + "warn where a shard holds more than --max-share of a table's rows. Exit 1 when a shard cannot be "
                + "counted.")
        boolean rows;

        @Option(names = "--max-share", paramLabel = "PERCENT", defaultValue = "30", description = "With --rows: the "
                + "share of a table's rows above which a shard is reported (default ${DEFAULT-VALUE} %%).")
        double maxSharePercent;

        @Override
        public Integer call() {
            if (!rows) {
                output.print(out(), api.client().get("api/topology"), Show::text);
                return ExitCodes.OK;
            }
            if (!(maxSharePercent > 0 && maxSharePercent <= 100)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-share must be above 0 "
                        + "and at most 100 (percent), was " + maxSharePercent);
            }
            JsonNode report = api.client().get("api/topology/rows?maxShare=" + maxSharePercent / 100);
            output.print(out(), report, RowsText::of);
            for (JsonNode shard : report.path("shards")) {
                if (shard.hasNonNull("error")) {
                    return ExitCodes.FAILED;
                }
            }
            return ExitCodes.OK;
        }

        private static String text(JsonNode topology) {
            StringBuilder text = new StringBuilder(topology.path("keyspace").asText() + " epoch "
                    + topology.path("epoch").asLong() + " " + topology.path("phase").asText());
            if (topology.hasNonNull("rebalance")) {
                text.append(", rebalance ").append(topology.path("rebalance").asText());
            }
            if (topology.hasNonNull("fence")) {
                text.append(", fence ").append(topology.path("fence").asText());
            }
            for (JsonNode shard : topology.path("shards")) {
                text.append(String.format(Locale.ROOT, "%n  %-12s %-10s %5.1f %% of the ring", shard.path("id").asText(),
                        shard.path("engine").asText(), 100 * shard.path("share").asDouble()));
            }
            if (topology.path("held").size() > 0) {
                text.append("\n  writes held (being rebuilt): ").append(topology.path("held"));
            }
            return text.toString();
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Plan a rebalance to this topology file (the next epoch); start it with shardctl rebalance.")
    static final class Apply extends ApiCommand {
        @Parameters(paramLabel = "FILE", description = "The target topology YAML file.")
        Path file;

        @Override
        public Integer call() throws IOException {
            TopologyLoader.load(file); // a malformed file fails here, naming the field, before anything is sent
            String document = Files.readString(file);
            JsonNode planned = api.client().post("api/rebalances", Map.of("topology", document));
            output.print(out(), planned, r -> "planned " + r.path("id").asText() + " "
                    + r.path("state").asText() + "; start it with: shardctl rebalance start " + r.path("id").asText());
            return ExitCodes.OK;
        }
    }
}
