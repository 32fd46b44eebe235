package dev.shardflow.quickstart;

import dev.shardflow.topology.verify.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What the quickstart's rebalance did, and whether every check held. */
record QuickstartReport(QuickstartSettings settings, long movedRows, double movedFraction, double idealFraction,
        double copyRecordsPerSecond, long maxLag, long p99Lag, long pauseMs, long writesAcknowledged,
        long writesRefused, RouterWrites.Check writes, VerifyReport verify, VerifyReport everything,
        String viewShard, long viewRows, int apiPort, Path tokenFile, Path topologyFile, String kafka,
        double seconds) {

    boolean passed() {
        return writes.missing().isEmpty() && writes.found() == writes.users() && verify.clean() && everything.clean()
                && viewComplete();
    }

    /** The view holds a row for every order (the application only updates orders, so they are the loaded ones). */
    boolean viewComplete() {
        return viewRows == settings.orders();
    }

    void print(PrintWriter out) {
        out.println();
        out.println("quickstart report");
        out.printf("  rows moved              %,d (%.1f %% of the shop; ideal 1/(N+1) = %.1f %%)%n", movedRows,
                100 * movedFraction, 100 * idealFraction);
        out.printf("  copy                    %,.0f change records/s%n", copyRecordsPerSecond);
        out.printf("  lag while catching up   max %,d, p99 %,d change records%n", maxLag, p99Lag);
        out.printf("  cutover write pause     %,d ms (moving keys only)%n", pauseMs);
        out.printf("  writes acknowledged     %,d during the run (%,d refused to be retried, %d in doubt)%n",
                writesAcknowledged, writesRefused, writes.inDoubt());
        out.printf("  present afterwards      %,d of %,d users at their last acknowledged version%s%n", writes.found(),
                writes.users(), writes.missing().isEmpty() ? "" : " MISSING " + writes.missing());
        out.printf("  verify (moving rows)    %,d rows compared, %d mismatches, %d unsettled%s%n",
                verify.rowsCompared(), verify.mismatches(), verify.unsettled(), verify.clean() ? "" : " "
                        + verify.sample());
        out.printf("  verify (every shard)    %,d orphans, %d mismatches%s%n", everything.orphans(),
                everything.mismatches(), everything.clean() ? "" : " " + everything.sample());
        out.printf("  order_user_view         %,d rows for %,d orders%s, on shard %s: SELECT * FROM order_user_view%n",
                viewRows, settings.orders(), viewComplete() ? "" : " (INCOMPLETE)", viewShard);
        out.printf("  took                    %.0f s%n", seconds);
        out.println(passed() ? "all checks passed" : "SOME CHECKS FAILED");
        out.flush();
    }

    /** With {@code --keep-running}: where everything is, and commands to try against it. */
    void printRunning(PrintWriter out) {
        out.printf("%neverything stays up (Ctrl-C to stop)%n");
        out.printf("  dashboard   http://127.0.0.1:%d/%n", apiPort);
        out.printf("  topology    %s (epoch in force; passwords by file)%n", topologyFile);
        out.printf("  kafka       %s%n", kafka);
        out.printf("  try         export SHARDFLOW_API=http://127.0.0.1:%d SHARDFLOW_API_TOKEN=$(cat %s)%n", apiPort,
                tokenFile);
        out.printf("              ./shardctl topology show%n");
        out.printf("              ./shardctl rebalance verify --all%n");
        out.printf("              ./shardctl rebalance plan --weight %s=2%n", viewShard);
        out.printf("              ./shardctl dlq list --topology %s --kafka %s%n", topologyFile, kafka);
        out.flush();
    }
}
