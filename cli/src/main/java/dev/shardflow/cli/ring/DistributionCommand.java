package dev.shardflow.cli.ring;

import dev.shardflow.core.strategy.Distribution;
import dev.shardflow.core.strategy.ShardingStrategy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shardctl ring distribution}: how keys read on standard input spread over the shards. */
@Command(name = "distribution", mixinStandardHelpOptions = true,
        description = "Count keys read on standard input per shard, with hotspot warnings.")
public final class DistributionCommand implements Callable<Integer> {

    @Mixin
    StrategyOptions strategyOptions;

    @Mixin
    KeyTypeOption keys;

    @Option(names = "--hotspot-factor", defaultValue = "1.25",
            description = "Warn about shards holding more than this many times the mean; default: ${DEFAULT-VALUE}.")
    double hotspotFactor;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ShardingStrategy strategy = strategyOptions.strategy();
        Map<String, Long> counts = new LinkedHashMap<>();
        strategy.shards().forEach(shard -> counts.put(shard, 0L));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            counts.merge(strategy.ownerOf(keys.parse(line)), 1L, Long::sum);
        }
        Distribution distribution = Distribution.ofCounts(counts, hotspotFactor);
        PrintWriter out = spec.commandLine().getOut();
        distribution.counts().forEach((shard, count) ->
                out.printf("%s\t%d\t%.2f%%%n", shard, count, 100 * distribution.share(shard)));
        out.printf("keys: %d, max/mean: %.3f, coefficient of variation: %.3f%n", distribution.total(),
                distribution.maxOverMean(), distribution.coefficientOfVariation());
        distribution.warnings().forEach(warning -> out.println("WARNING: " + warning));
        out.flush();
        return 0;
    }
}
