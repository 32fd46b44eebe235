package dev.shardflow.cli.ring;

import picocli.CommandLine.Command;

/** {@code shardctl ring}: where keys live, and what a change of the ring moves. */
@Command(name = "ring", mixinStandardHelpOptions = true,
        description = "Route keys, diff two rings, and analyse how keys spread over shards.",
        subcommands = {RouteCommand.class, DiffCommand.class, DistributionCommand.class})
public final class RingCommand {
}
