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
import picocli.CommandLine.Parameters;

/** {@code shardctl topology}: the ring in force, and a whole new topology to move to. */
@Command(name = "topology", mixinStandardHelpOptions = true, description = "Show the topology in force, or plan a "
        + "rebalance to a new topology file.", subcommands = {TopologyCommand.Show.class, TopologyCommand.Apply.class})
public final class TopologyCommand {

    private TopologyCommand() {}

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The epoch in force, its shards with their share of the ring, and any rebalance or hold.")
    static final class Show extends ApiCommand {
        @Override
        public Integer call() {
            output.print(out(), api.client().get("api/topology"), Show::text);
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
