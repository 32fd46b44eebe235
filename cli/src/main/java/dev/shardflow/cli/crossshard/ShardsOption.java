package dev.shardflow.cli.crossshard;

import dev.shardflow.cli.recovery.KafkaOptions;
import dev.shardflow.core.topology.Placement;
import picocli.CommandLine.Option;

/**
 * Which shards a command that visits every shard reads: those the topology service's state names (both sides of a
 * running rebalance), or with {@code --offline} those of the topology file.
 */
public final class ShardsOption {
    @Option(names = "--offline", description = "Take the shards from the topology file, without Kafka (during a "
            + "rebalance the topic's state also names the shards of its other side).")
    boolean offline;

    /** The placement whose shards to visit. */
    public Placement placement(KafkaOptions kafka) {
        return offline ? Placement.steady(kafka.topology()) : new OwnershipReader(kafka.connection(), kafka.topology())
                .get();
    }
}
