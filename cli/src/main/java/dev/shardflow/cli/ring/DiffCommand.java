package dev.shardflow.cli.ring;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.strategy.MoveRange;
import dev.shardflow.core.strategy.ShardingStrategy;
import dev.shardflow.core.strategy.StrategyDiff;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shardctl ring diff}: what moves from one strategy to another. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show the key ranges that change owner from one ring (or topology) to another, and the moved fraction.")
public final class DiffCommand implements Callable<Integer> {

    @Mixin
    StrategyOptions from;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target to;

    static final class Target {
        @Option(names = "--to-config", paramLabel = "FILE", description = "The topology file of the new strategy.")
        Path config;

        @Option(names = "--to-shards", split = ",", paramLabel = "ID[=WEIGHT]",
                description = "The new ring's shards, with the same --vnodes and --hash.")
        List<String> shards;
    }

    @Option(names = "--ranges", description = "List every moving range, not only the totals per pair of shards.")
    boolean listRanges;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShardingStrategy before = from.strategy();
        ShardingStrategy after = to.config != null ? TopologyLoader.load(to.config).strategy() : from.ring(to.shards);
        StrategyDiff diff = StrategyDiff.between(before, after);
        PrintWriter out = spec.commandLine().getOut();
        if (diff.movedFraction().isPresent()) {
            out.printf("moved fraction: %.4f (%.2f%% of keys)%n", diff.movedFraction().getAsDouble(),
                    100 * diff.movedFraction().getAsDouble());
        } else {
            out.println("moved fraction: depends on the data (value ranges); estimate it with real keys");
        }
        out.printf("moves: %d range(s)%n", diff.moves().size());
        Map<String, Integer> pairs = new LinkedHashMap<>();
        for (MoveRange move : diff.moves()) {
            pairs.merge(move.from() + " -> " + move.to(), 1, Integer::sum);
        }
        pairs.forEach((pair, count) -> out.printf("  %s: %d range(s)%n", pair, count));
        if (listRanges || diff.moves().size() <= 20) {
            diff.moves().forEach(move -> out.println("  " + move));
        }
        out.flush();
        return 0;
    }
}
