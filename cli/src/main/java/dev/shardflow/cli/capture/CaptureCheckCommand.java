package dev.shardflow.cli.capture;

import dev.shardflow.capture.preflight.SourcePreflight;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shardctl capture check}: the capture preflight of every (or the named) source shard. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check each shard's wal_level or binlog settings and tables, and every privilege shardflow uses "
                + "on it (replication, its control tables, the tombstone table, version columns, reading and "
                + "writing rows), naming the GRANT for each one missing.")
public final class CaptureCheckCommand implements Callable<Integer> {

    @Option(names = "--topology", required = true, paramLabel = "FILE", description = "The topology YAML file.")
    Path topologyFile;

    @Option(names = "--shards", split = ",", paramLabel = "ID", description = "Only these shards (default: all).")
    List<String> shards;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Topology topology = TopologyLoader.load(topologyFile);
        if (shards != null) {
            List<String> unknown = shards.stream().filter(id -> topology.shard(id).isEmpty()).toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("--shards: no shard " + String.join(", ", unknown) + " in "
                        + topologyFile + "; its shards are " + topology.shards().stream().map(ShardSpec::id).toList());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        int failed = 0;
        for (ShardSpec shard : topology.shards()) {
            if (shards != null && !shards.contains(shard.id())) {
                continue;
            }
            List<String> problems = new ArrayList<>(SourcePreflight.check(topology, shard));
            try {
                SourcePreflight.privileges(topology, shard, true).forEach(missing -> problems.add("shard "
                        + shard.id() + ": missing privilege: " + missing.what() + "; run: " + missing.grant()));
            } catch (SQLException e) {
                // the connection problem is among the problems already
            }
            if (problems.isEmpty()) {
                out.println(shard.id() + ": ready (" + shard.engine().configName() + ")");
            } else {
                failed++;
                problems.forEach(problem -> out.println("FAIL " + problem));
            }
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
