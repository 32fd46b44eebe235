package dev.shardflow.quickstart;

import dev.shardflow.topology.verify.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What the quickstart's rebalance did, and whether every check held. */
record QuickstartReport(QuickstartSettings settings, long movedRows, double movedFraction, double idealFraction,
        Rates rates, long maxLag, long p99Lag, long pauseMs, long writesAcknowledged,
        long writesRefused, RouterWrites.Check writes, VerifyReport verify, VerifyReport everything,
        String viewShard, long viewRows, DdlDemo.Outcome ddl, long deadLetters, int apiPort, Path tokenFile, Path topologyFile, String kafka,
        double seconds) {

    /**
     * How fast the move went, next to the new shard's own rate.
     *
     * @param movedRowsPerSecond rows on the new shard when the copy was done, per second of the copy
     * @param copyRecordsPerSecond change records the copy read per second (every row of every shard)
     * @param rawUpsertPerSecond a plain batched upsert into the new shard before the move
     * @param cleanupRowsPerSecond rows deleted from their old owners per second of the complete step
     */
    record Rates(double movedRowsPerSecond, double copyRecordsPerSecond, double rawUpsertPerSecond,
            double cleanupRowsPerSecond) {}

    boolean passed() {
        return writes.missing().isEmpty() && writes.found() == writes.users() && verify.clean() && everything.clean()
                && viewComplete() && (ddl == null || (ddl.passed() && deadLetters == 0));
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
        out.printf("  copy                    %,.0f moved rows/s (%.0f %% of a plain upsert into the new shard, %,.0f "
                + "rows/s); %,.0f change records/s read%n", rates.movedRowsPerSecond(),
                100 * rates.movedRowsPerSecond() / rates.rawUpsertPerSecond(), rates.rawUpsertPerSecond(),
                rates.copyRecordsPerSecond());
        out.printf("  lag while catching up   max %,d, p99 %,d change records%n", maxLag, p99Lag);
        out.printf("  cutover write pause     %,d ms (moving keys only)%n", pauseMs);
        out.printf("  writes acknowledged     %,d during the run (%,d refused to be retried, %d in doubt)%n",
                writesAcknowledged, writesRefused, writes.inDoubt());
        out.printf("  present afterwards      %,d of %,d users at their last acknowledged version%s%n", writes.found(),
                writes.users(), writes.missing().isEmpty() ? "" : " MISSING " + writes.missing());
        out.printf("  verify (moving rows)    %,d rows compared in %.1f s (%,.0f rows/s), %d mismatches, %d "
                + "unsettled%s%n", verify.rowsCompared(), verify.elapsedMs() / 1000.0,
                verify.rowsCompared() * 1000.0 / Math.max(1, verify.elapsedMs()), verify.mismatches(),
                verify.unsettled(), verify.clean() ? "" : " " + verify.sample());
        out.printf("  cleanup                 %,.0f deleted rows/s on the old owners%n", rates.cleanupRowsPerSecond());
        out.printf("  verify (every shard)    %,d orphans, %d mismatches%s%n", everything.orphans(),
                everything.mismatches(), everything.clean() ? "" : " " + everything.sample());
        out.printf("  order_user_view         %,d rows for %,d orders%s, on shard %s: SELECT * FROM order_user_view%n",
                viewRows, settings.orders(), viewComplete() ? "" : " (INCOMPLETE)", viewShard);
        if (ddl != null) {
            out.printf("  ddl demo                users.nickname on %s: %s; %d of %d users moved with their nickname%s%n",
                    settings.added(), ddl.column() == null ? "MISSING" : ddl.column(), ddl.found(), ddl.expected(),
                    ddl.passed() ? "" : " (INCOMPLETE)");
        }
        out.printf("  dead letters            %,d%n", deadLetters);
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
