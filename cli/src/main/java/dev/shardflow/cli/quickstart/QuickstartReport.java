package dev.shardflow.cli.quickstart;

import dev.shardflow.topology.verify.VerifyReport;
import java.io.PrintWriter;

/** What the quickstart's rebalance did, and whether every check held. */
record QuickstartReport(QuickstartSettings settings, long movedRows, double movedFraction, double idealFraction,
        double copyRecordsPerSecond, long maxLag, long p99Lag, long pauseMs, long writesAcknowledged,
        long writesRefused, RouterWrites.Check writes, VerifyReport verify, VerifyReport everything,
        String viewShard, long viewRows, int apiPort, double seconds) {

    boolean passed() {
        return writes.missing().isEmpty() && writes.found() == writes.users() && verify.clean() && everything.clean();
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
        out.printf("  order_user_view         %,d rows on shard %s: SELECT * FROM order_user_view%n", viewRows,
                viewShard);
        out.printf("  took                    %.0f s%n", seconds);
        out.println(passed() ? "all checks passed" : "SOME CHECKS FAILED");
        out.flush();
    }
}
