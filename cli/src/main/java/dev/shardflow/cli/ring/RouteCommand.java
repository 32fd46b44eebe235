package dev.shardflow.cli.ring;

import dev.shardflow.core.strategy.ShardingStrategy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shardctl ring route}: reads keys, one per line, and prints {@code key<TAB>shard}. */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = "Read keys on standard input, one per line; print each as key<TAB>shard.")
public final class RouteCommand implements Callable<Integer> {

    @Mixin
    StrategyOptions strategyOptions;

    @Mixin
    KeyTypeOption keys;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ShardingStrategy strategy = strategyOptions.strategy();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = spec.commandLine().getOut();
        String line;
        while ((line = in.readLine()) != null) {
            out.write(line);
            out.write('\t');
            out.write(strategy.ownerOf(keys.parse(line)));
            out.write('\n');
        }
        out.flush();
        return 0;
    }
}
