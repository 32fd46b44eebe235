package dev.shardflow.cli.ring;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingHash;
import dev.shardflow.core.strategy.ShardingStrategy;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where a command gets its strategy: a topology file ({@code --config}), or a hash ring described by flags
 * ({@code --shards s0,s1,s2=2 --vnodes 150 --hash md5}).
 */
public final class StrategyOptions {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--config", paramLabel = "FILE", description = "A topology YAML file; its strategy is used.")
        Path config;

        @Option(names = "--shards", split = ",", paramLabel = "ID[=WEIGHT]",
                description = "The ring's shards in order, optionally weighted: s0,s1,s2=2")
        List<String> shards;
    }

    @Option(names = "--vnodes", defaultValue = "150", description = "Virtual nodes per shard of weight 1 (default: ${DEFAULT-VALUE}).")
    int vnodes;

    @Option(names = "--hash", defaultValue = "default",
            description = "default (XXH3) or md5 (the Python ConsistentHashRouter's ring); default: ${DEFAULT-VALUE}.")
    String hash;

    ShardingStrategy strategy() {
        if (source.config != null) {
            return TopologyLoader.load(source.config).strategy();
        }
        return ring(source.shards);
    }

    HashRing ring(List<String> shards) {
        HashRing.Builder builder = HashRing.builder().hash(RingHash.fromConfigName(hash)).vnodes(vnodes);
        for (String shard : shards) {
            int equals = shard.indexOf('=');
            if (equals < 0) {
                builder.shard(shard.trim());
            } else {
                String weight = shard.substring(equals + 1).trim();
                try {
                    builder.shard(shard.substring(0, equals).trim(), Double.parseDouble(weight));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--shards: weight '" + weight + "' of " + shard
                            + " is not a number");
                }
            }
        }
        return builder.build();
    }
}
