package dev.shardflow.cli.capture;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.Output;
import dev.shardflow.cli.recovery.KafkaOptions;
import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.CaptureStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code shardctl capture status}: each source shard's capture as its process last reported it — state, events/s,
 * lag, restarts, the last error and the source log it holds back — from {@code <prefix>.capture.status}. Exit code 0
 * when every shard of the topology runs, reports on time and holds back less than its warning threshold; 1 otherwise.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Each source shard's capture: state, "
        + "events/s, lag, restarts, last error, and how much source log (WAL, binlog) it holds back. Exit code 1 when "
        + "a shard does not run, has not reported lately, or holds back more than its warning threshold.")
public final class CaptureStatusCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Mixin
    Output output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Topology topology = kafka.topology();
        Map<String, CaptureReport> reports = CaptureStatus.read(kafka.connection(), TopicNames.of(topology),
                kafka.timeout());
        long now = System.currentTimeMillis();
        List<String> problems = new ArrayList<>();
        ArrayNode json = EventJson.mapper().createArrayNode();
        StringBuilder text = new StringBuilder(String.format("%-10s %-10s %-9s %9s %9s %8s  %-12s %s%n", "SHARD",
                "ENGINE", "STATE", "EVENTS/S", "LAG", "RESTARTS", "REPORTED", "SOURCE LOG HELD BACK"));
        for (ShardSpec shard : topology.shards()) {
            CaptureReport report = reports.get(shard.id());
            if (report == null) {
                problems.add(shard.id() + " has no report: no capture process runs it, or it has not reported yet");
                text.append(String.format("%-10s %-10s %-9s%n", shard.id(), shard.engine().configName(), "NO REPORT"));
                json.addObject().put("shard", shard.id()).put("state", "NO_REPORT");
                continue;
            }
            boolean stale = report.staleAt(now);
            String state = stale ? report.state() + "?" : report.state();
            text.append(String.format("%-10s %-10s %-9s %9.1f %9s %8d  %-12s %s%n", shard.id(), report.engine(), state,
                    report.eventsPerSecond(), report.lagMs() == null ? "idle" : lag(report.lagMs()),
                    report.restarts(), ago(now - report.atMs()), heldBack(report)));
            if (report.lastError() != null && !report.state().equals("RUNNING")) {
                text.append("           last error: ").append(report.lastError()).append('\n');
            }
            if (stale) {
                problems.add(shard.id() + " last reported " + ago(now - report.atMs()) + " (every "
                        + report.intervalMs() / 1000 + " s expected): is its capture process running?");
            } else if (!report.state().equals("RUNNING")) {
                problems.add(shard.id() + " is " + report.state());
            }
            if (report.heldBackWarning()) {
                problems.add(shard.id() + " holds back " + CaptureReport.bytes(report.heldBackBytes()) + " of source log, above "
                        + "sourceLog.warnBytes (" + CaptureReport.bytes(report.heldBackWarnBytes()) + ")");
            }
            json.add(EventJson.mapper().valueToTree(report));
        }
        text.append(problems.isEmpty() ? "every shard's capture runs" : "attention: " + String.join("; ", problems));
        PrintWriter out = spec.commandLine().getOut();
        output.print(out, json, ignored -> text.toString());
        return problems.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static String heldBack(CaptureReport report) {
        return (report.heldBackWarning() ? "WARN " : "") + report.heldBackText();
    }

    private static String lag(long ms) {
        return ms < 1000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }

    private static String ago(long ms) {
        long seconds = Math.max(0, ms / 1000);
        return seconds < 120 ? seconds + " s ago" : seconds / 60 + " min ago";
    }
}
