package dev.shardflow.quickstart;

import picocli.CommandLine;

/**
 * The entry of {@code ./shardctl quickstart}. It lives apart from the operator's command line because it carries
 * what a demo on one machine needs and a deployment must not: a Kafka broker and database server binaries.
 */
public final class QuickstartMain {
    /** Every check passed. */
    public static final int PASSED = 0;
    /** A check failed, or the quickstart could not start; the reason is printed. */
    public static final int FAILED = 1;

    /** The MariaDB binlog client logs each connection through java.util.logging; only its warnings matter here. */
    private static final java.util.logging.Logger BINLOG_CLIENT = java.util.logging.Logger.getLogger("com.github.shyiko");

    private QuickstartMain() {}

    public static void main(String[] args) {
        // the quickstart prints its own narration and report; libraries only speak up when something is wrong
        dev.shardflow.process.ProcessLogging.command();
        BINLOG_CLIENT.setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    /** The quickstart's command line (exit 2 for bad usage), for callers that redirect its output. */
    public static CommandLine commandLine() {
        return new CommandLine(new QuickstartCommand())
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    String message = e.getMessage() != null && !(e instanceof NullPointerException)
                            ? e.getMessage() : e.toString();
                    commandLine.getErr().println("quickstart: " + message);
                    return FAILED;
                });
    }
}
