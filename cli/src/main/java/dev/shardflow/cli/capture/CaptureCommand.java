package dev.shardflow.cli.capture;

import picocli.CommandLine.Command;

/** {@code shardctl capture}: the change capture of source shards. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Check that source shards can be captured, and how their capture stands.",
        subcommands = {CaptureCheckCommand.class, CaptureStatusCommand.class})
public final class CaptureCommand {
}
