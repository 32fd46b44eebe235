package dev.shardflow.quickstart;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./shardctl quickstart}: a live rebalance of the sample shop on this machine, nothing to install. */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = "Start Kafka and PostgreSQL/MariaDB "
        + "shards here, load the shop, and rebalance it live from N to N+1 shards while an application writes; "
        + "ends with a report and exit code 1 if any check failed.")
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--engines", defaultValue = "mixed",
            description = "mixed (default: MariaDB and PostgreSQL sources, a new PostgreSQL shard), postgresql or "
                    + "mariadb.")
    String engines;

    @Option(names = "--shards", defaultValue = "4", description = "Shards before the rebalance (default 4).")
    int shards;

    @Option(names = "--users", defaultValue = "100000", description = "Users to load (default 100,000).")
    int users;

    @Option(names = "--orders", defaultValue = "500000", description = "Orders to load (default 500,000).")
    int orders;

    @Option(names = "--writes-per-second", defaultValue = "200",
            description = "The application's transactions per second (default 200).")
    int writesPerSecond;

    @Option(names = "--api-port", defaultValue = "8080",
            description = "The API and dashboard port (default 8080; 0 for any free one).")
    int apiPort;

    @Option(names = "--ddl-demo", description = "Add a column to users on every source shard in the middle of the "
            + "copy (" + DdlDemo.STATEMENT + "), with users that move; the new shard gets it from shardflow.")
    boolean ddlDemo;

    @Option(names = "--keep-running", description = "Leave everything up, with the dashboard, after the report "
            + "(Ctrl-C to stop).")
    boolean keepRunning;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        QuickstartSettings settings = new QuickstartSettings(engines, shards, users, orders, writesPerSecond, apiPort,
                ddlDemo);
        Quickstart quickstart = new Quickstart(settings, out);
        Runtime.getRuntime().addShutdownHook(new Thread(quickstart::close, "quickstart-stop"));
        try {
            QuickstartReport report = quickstart.run();
            report.print(out);
            if (keepRunning) {
                report.printRunning(out);
                Thread.currentThread().join();
            }
            return report.passed() ? QuickstartMain.PASSED : QuickstartMain.FAILED;
        } finally {
            quickstart.close();
        }
    }
}
