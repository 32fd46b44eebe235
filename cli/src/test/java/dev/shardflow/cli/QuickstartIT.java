package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code shardctl quickstart} with small sizes, as a new user runs it: Kafka, two MariaDB and three PostgreSQL
 * shards, the shop loaded, a live 4 → 5 rebalance across engines while an application writes, and a report in which
 * every check passed. Its bad input fails before anything starts.
 */
class QuickstartIT {

    @Test
    void aLiveRebalanceAcrossEnginesEndsWithEveryCheckPassed() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Shardctl.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        int exit = commandLine.execute("quickstart", "--users", "2000", "--orders", "6000", "--writes-per-second", "40",
                "--api-port", "0");

        String report = out.toString();
        assertThat(exit).as(report).isZero();
        assertThat(report).contains("plan r2-", "copy done", "cutover: epoch 2 in force", "complete: moved rows deleted",
                "quickstart report", "0 mismatches, 0 unsettled", "0 orphans", "all checks passed");
        assertThat(report).containsPattern("present afterwards +(\\d[\\d,]*) of \\1 users");
    }

    @Test
    void badSizesAreRefusedBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Shardctl.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("quickstart", "--engines", "oracle")).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString()).contains("--engines", "mixed, postgresql or mariadb");
        assertThat(commandLine.execute("quickstart", "--shards", "0")).isEqualTo(ExitCodes.FAILED);
    }
}
