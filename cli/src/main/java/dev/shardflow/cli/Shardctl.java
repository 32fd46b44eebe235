package dev.shardflow.cli;

import dev.shardflow.cli.api.ApiException;
import dev.shardflow.cli.capture.CaptureCommand;
import dev.shardflow.cli.crossshard.QueryCommand;
import dev.shardflow.cli.crossshard.TxCommand;
import dev.shardflow.cli.rebalance.RebalanceCommand;
import dev.shardflow.cli.recovery.DlqCommand;
import dev.shardflow.cli.recovery.ReplayCommand;
import dev.shardflow.cli.ring.RingCommand;
import dev.shardflow.cli.schema.SchemaCommand;
import dev.shardflow.cli.serve.ServeCommand;
import dev.shardflow.cli.topology.TopologyCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code shardctl}, the operator's command line. */
@Command(name = "shardctl", mixinStandardHelpOptions = true, versionProvider = Shardctl.Version.class,
        description = "Operate shardflow: inspect rings, check sources, run and verify rebalances, query across "
                + "shards, finish cross-shard transactions, rebuild shards and views from the change topics, replay "
                + "dead letters.",
        subcommands = {RingCommand.class, CaptureCommand.class, RebalanceCommand.class, TopologyCommand.class,
                QueryCommand.class, TxCommand.class, SchemaCommand.class, ReplayCommand.class, DlqCommand.class,
                ServeCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "The demo on one machine, shipped apart with its Kafka and database servers:",
                "  ./shardctl quickstart"})
public final class Shardctl {

    /** The MariaDB binlog client logs each connection through java.util.logging; an operator needs its warnings. */
    private static final java.util.logging.Logger BINLOG_CLIENT = java.util.logging.Logger.getLogger("com.github.shyiko");

    /** The version this build of shardctl was made from, as Maven stamped it. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties build = new java.util.Properties();
            try (var in = Shardctl.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    build.load(in);
                }
            }
            return new String[] {"shardctl " + build.getProperty("version", "(unknown version)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("serve")) {
            serverLogging();
        } else {
            dev.shardflow.process.ProcessLogging.command();
        }
        BINLOG_CLIENT.setLevel(java.util.logging.Level.WARNING);
        System.exit(run(args));
    }

    /**
     * A process run by {@code serve} tells its story — states, progress, recoveries — at INFO, with the time of each
     * line, and its libraries their warnings; a command prints its own results, its libraries only their errors.
     * The settings file's {@code logging.format} and {@code logging.level} take over once it is read.
     */
    private static void serverLogging() {
        // until the settings file is read, which may ask for JSON or DEBUG (ProcessMain)
        dev.shardflow.process.ProcessLogging.server(dev.shardflow.process.ProcessLogging.Format.TEXT, "info");
    }

    /**
     * Runs a command line and returns its exit code ({@link ExitCodes}): 0 done, 1 failed, 2 bad usage, 3 a
     * verification found differences, 4 the topology service could not be reached.
     */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for callers that redirect its output. */
    public static CommandLine commandLine() {
        return new CommandLine(new Shardctl())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    // An operator needs the reason and the fix, not a stack trace.
                    if (e instanceof org.apache.kafka.common.errors.TimeoutException timeout) {
                        commandLine.getErr().println("shardctl: Kafka cannot be reached in time (" + timeout.getMessage()
                                + "); is --kafka right and the cluster up?");
                        return ExitCodes.UNREACHABLE;
                    }
                    if (e instanceof ApiException api) {
                        commandLine.getErr().println("shardctl: " + api.getMessage());
                        return api.unreachable() ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
                    }
                    String message = e.getMessage() != null && !(e instanceof NullPointerException)
                            ? e.getMessage() : e.toString();
                    commandLine.getErr().println("shardctl: " + message);
                    return 1;
                });
    }
}
