package dev.shardflow.cli.recovery;

import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.ApiClient;
import dev.shardflow.cli.api.ApiOptions;
import dev.shardflow.cli.api.Output;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.topology.registry.RegistryLog;
import dev.shardflow.writer.replay.ReplayOptions;
import dev.shardflow.writer.replay.ReplayProgress;
import dev.shardflow.writer.replay.ReplayReport;
import dev.shardflow.writer.replay.ReplayStart;
import dev.shardflow.writer.replay.ShardReplay;
import dev.shardflow.writer.replay.ViewReplay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code shardctl replay}: rebuilds a lost shard (or a view's table) from the change topics, holding the shard's
 * writes at the routers meanwhile when the topology service is given. Exit code 3 when the final check differs.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Rebuild a shard, or a view's table, from "
        + "the compacted change topics; the shard's tables must exist and its capture run.")
public final class ReplayCommand implements Callable<Integer> {

    static final class Target {
        @Option(names = "--shard", paramLabel = "ID", required = true, description = "The shard to rebuild.")
        String shard;

        @Option(names = "--view", paramLabel = "VIEW", required = true,
                description = "The view whose table to rebuild (with --target).")
        String view;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--target", paramLabel = "ID", description = "With --view: the database (declared as a shard) "
            + "that holds the view's table.")
    String viewTarget;

    @Option(names = "--since", paramLabel = "TIME", description = "Replay from this time (ISO-8601, e.g. "
            + "2026-11-20T10:00:00Z) instead of the beginning.")
    String since;

    @Option(names = "--offsets", paramLabel = "FILE", description = "Replay from the offsets a backup recorded: "
            + "lines of topic:partition=offset.")
    Path offsets;

    @Option(names = "--rows-per-second", paramLabel = "N", defaultValue = "50000",
            description = "The most changes applied per second (0: no limit; default ${DEFAULT-VALUE}).")
    long rowsPerSecond;

    @Option(names = "--hold", description = "Hold the shard's writes at every router (through the topology service, "
            + "--api) while replaying, and release them when the replay ended clean.")
    boolean hold;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ApiOptions api;

    @Mixin
    Output output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
        Topology topology = kafka.topology();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter chatter = output.json() ? spec.commandLine().getErr() : out; // stdout stays one JSON document
        long[] lastLine = {0};
        ShardReplay.Listener progress = p -> {
            if (System.nanoTime() - lastLine[0] > 2_000_000_000L) {
                lastLine[0] = System.nanoTime();
                chatter.println(line(p));
                chatter.flush();
            }
        };
        ReplayReport report;
        if (target.view != null) {
            if (viewTarget == null) {
                throw new IllegalArgumentException("--view needs --target, the database that holds the view's table");
            }
            report = new ViewReplay(topology, target.view, topology.shard(viewTarget).orElseThrow(() ->
                    new IllegalArgumentException("--target: no shard " + viewTarget + " in " + kafka.topologyFile)),
                    kafka.connection(), rowsPerSecond).run(progress);
        } else {
            // everything that can be wrong with the request is found before any router is told to hold writes
            if (topology.shard(target.shard).isEmpty()) {
                throw new IllegalArgumentException("--shard: no shard " + target.shard + " in " + kafka.topologyFile
                        + "; its shards are " + topology.shards().stream().map(s -> s.id()).toList());
            }
            ReplayStart start = start();
            Topology inForce = inForce(topology, chatter);
            if (inForce.shard(target.shard).isEmpty()) {
                throw new IllegalArgumentException("--shard: no shard " + target.shard + " in the topology in force "
                        + "(epoch " + inForce.epoch() + ")");
            }
            ReplayOptions options = ReplayOptions.defaults(inForce, target.shard, kafka.connection())
                    .withStart(start).withRowsPerSecond(rowsPerSecond);
            ApiClient client = hold ? api.client() : null;
            if (client != null) {
                client.post("api/shards/" + target.shard + "/hold", null);
                chatter.println("writes to " + target.shard + " are held at the routers while it is rebuilt");
            }
            report = new ShardReplay(options).run(progress);
            if (client != null && report.clean()) {
                client.post("api/shards/" + target.shard + "/release", null);
                chatter.println("writes to " + target.shard + " released");
            } else if (client != null) {
                chatter.println("writes to " + target.shard + " stay held: look at the differences, replay again, and "
                        + "release with: curl -X POST -H 'Authorization: Bearer …' <api>/api/shards/" + target.shard
                        + "/release");
            }
        }
        ReplayReport done = report;
        output.print(out, EventJson.mapper().valueToTree(report), ignored -> text(done));
        return report.clean() ? ExitCodes.OK : ExitCodes.MISMATCH;
    }

    /**
     * The topology in force, as the registry's topic holds it: which rows the shard owns is decided by it, not by a
     * file that may be an epoch behind. The file's topology when the registry holds none (no topology service yet).
     */
    private Topology inForce(Topology file, PrintWriter chatter) throws InterruptedException {
        Optional<TopologyState> state = RegistryLog.state(kafka.connection(), file.keyspace(),
                TopicNames.of(file), kafka.timeout());
        if (state.isEmpty()) {
            return file;
        }
        Topology inForce = TopologyLoader.parse(state.get().current(), "the topology in force", System.getenv());
        if (inForce.epoch() != file.epoch()) {
            chatter.println("epoch " + inForce.epoch() + " is in force (" + kafka.topologyFile + " is epoch "
                    + file.epoch() + "): the rows " + target.shard + " owns at epoch " + inForce.epoch()
                    + " are rebuilt");
            chatter.flush();
        }
        return inForce;
    }

    private ReplayStart start() throws IOException {
        if (since != null && offsets != null) {
            throw new IllegalArgumentException("give --since or --offsets, not both");
        }
        if (since != null) {
            try {
                return ReplayStart.at(Instant.parse(since).toEpochMilli());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--since: " + since + " is not an ISO-8601 instant such as "
                        + "2026-11-20T10:00:00Z");
            }
        }
        if (offsets != null) {
            Map<String, Long> positions = new LinkedHashMap<>();
            for (String line : Files.readAllLines(offsets)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int equals = line.lastIndexOf('=');
                try {
                    positions.put(line.substring(0, equals).trim(), Long.parseLong(line.substring(equals + 1).trim()));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("--offsets: '" + line + "' is not topic:partition=offset");
                }
            }
            return ReplayStart.fromOffsets(positions);
        }
        return ReplayStart.beginning();
    }

    private static String text(ReplayReport report) {
        StringBuilder text = new StringBuilder(report.shard() + ": " + report.applied() + " changes applied of "
                + report.recordsRead() + " records read (" + report.superseded() + " superseded, " + report.notOwned()
                + " not owned, " + report.deadLettered() + " dead-lettered) in " + report.elapsedMs() + " ms; check: "
                + report.rowsChecked() + " rows compared, " + report.mismatches() + " mismatch(es)"
                + (report.applicationWrites() > 0 ? ", " + report.applicationWrites() + " application writes during "
                        + "the replay" : ""));
        report.sample().forEach(difference -> text.append("\n  ").append(difference));
        return text.toString();
    }

    private static String line(ReplayProgress p) {
        return p.shard() + " " + p.phase() + " " + p.table() + " " + Output.progress(p.recordsRead(), p.recordsTotal(),
                "records", p.recordsPerSecond()) + ", " + p.applied() + " applied";
    }
}
