package dev.shardflow.bench.cutover;

import dev.shardflow.bench.Headlines;
import dev.shardflow.bench.Percentiles;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.topology.PauseReport;
import dev.shardflow.topology.RouterWorkload;
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.workflow.Rebalance;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/** What the cutover bench prints: a line per fence, the spread of its copies, and the figures over all fences. */
final class CutoverReport {
    /** One fence: which cycle, which way, its pause and its phases as the topology service recorded them. */
    record Fence(int cycle, String kind, String shard, Rebalance.FenceAttempt attempt, LongPredicate moving,
            PauseReport writes) {}

    private CutoverReport() {}

    static String line(Fence fence) {
        Rebalance.FenceAttempt attempt = fence.attempt();
        StringBuilder phases = new StringBuilder();
        if (attempt.phasesMs() != null) {
            attempt.phasesMs().forEach((phase, ms) -> phases.append(phases.length() == 0 ? "" : " · ").append(phase)
                    .append(' ').append(ms));
        }
        return String.format(Locale.ROOT, "cycle %2d %-8s %-6s pause %4d ms [%s]; held writes %d, max %.0f ms; "
                + "slowest copy %s", fence.cycle(), fence.kind(), fence.shard(), attempt.pauseMs(), phases,
                fence.writes().movingDuring(), fence.writes().movingMaxMs(), attempt.slowestPath());
    }

    /**
     * How the copies of one fence spread: per change topic the copies came through, the time from capture's send to
     * the first hop (min, median, max over the copies) and from the last hop to the writer's read.
     */
    static String copySpread(List<DatabaseShard> shards, String fenceId) throws Exception {
        Map<String, List<Long>> firstHop = new java.util.TreeMap<>();
        Map<String, List<Long>> toWriter = new java.util.TreeMap<>();
        for (DatabaseShard shard : shards) {
            try (java.sql.Connection connection = shard.connect()) {
                for (MarkerPaths.CopyTimes copy : MarkerPaths.appliedTimes(connection, fenceId)) {
                    if (copy.capturedMs() == null || copy.hopsMs().isEmpty()) {
                        continue;
                    }
                    String topic = copy.path().substring(0, copy.path().indexOf(':'));
                    firstHop.computeIfAbsent(topic, t -> new ArrayList<>()).add(copy.hopsMs().get(0)
                            - copy.capturedMs());
                    toWriter.computeIfAbsent(topic, t -> new ArrayList<>()).add(copy.readMs()
                            - copy.hopsMs().get(copy.hopsMs().size() - 1));
                }
            } catch (java.sql.SQLException e) {
                // a shard without the table of applied fences received no copy
            }
        }
        StringBuilder text = new StringBuilder();
        firstHop.forEach((topic, times) -> {
            List<Long> hop = times.stream().sorted().toList();
            List<Long> read = toWriter.get(topic).stream().sorted().toList();
            text.append(String.format(Locale.ROOT, "    %-28s %4d copies: capture to first hop %d / %d / %d ms, "
                    + "last hop to writer %d / %d / %d ms (min / median / max)%n", topic, hop.size(), hop.get(0),
                    hop.get(hop.size() / 2), hop.get(hop.size() - 1), read.get(0), read.get(read.size() / 2),
                    read.get(read.size() - 1)));
        });
        return text.toString();
    }

    static void report(List<Fence> fences, Timer pauses, RouterWorkload workload, int aborted) {
        System.out.printf(Locale.ROOT, "%n%d fences committed, %d aborted; %,d writes acknowledged, %,d refused%n",
                fences.size(), aborted, workload.acknowledged(), workload.refused());
        double p50 = percentile(pauses, 0.5);
        double p99 = percentile(pauses, 0.99);
        double max = pauses.max(TimeUnit.MILLISECONDS);
        System.out.printf(Locale.ROOT, "writes to moving keys held by a fence (the router's histogram): %,d, p50 "
                + "%.1f ms, p99 %.1f ms, max %.1f ms%n", pauses.count(), p50, p99, max);
        List<Double> pauseMs = fences.stream().map(f -> (double) f.attempt().pauseMs()).sorted().toList();
        System.out.printf(Locale.ROOT, "each fence's pause as the topology service measured it: p50 %.0f ms, p99 "
                + "%.0f ms, max %.0f ms%n", Percentiles.at(pauseMs, 0.5), Percentiles.at(pauseMs, 0.99),
                Percentiles.at(pauseMs, 1.0));
        System.out.println("where a fence's pause went, phase by phase over the fences (ms):");
        System.out.printf(Locale.ROOT, "  %-22s %8s %8s %8s %8s%n", "phase", "p50", "p99", "max", "mean");
        Map<String, List<Double>> byPhase = new LinkedHashMap<>();
        for (Fence fence : fences) {
            if (fence.attempt().phasesMs() != null) {
                fence.attempt().phasesMs().forEach((phase, ms) -> byPhase.computeIfAbsent(phase,
                        p -> new ArrayList<>()).add((double) ms));
            }
        }
        byPhase.forEach((phase, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "  %-22s %8.0f %8.0f %8.0f %8.1f   (%d fences)%n", phase,
                    Percentiles.at(sorted, 0.5), Percentiles.at(sorted, 0.99), Percentiles.at(sorted, 1.0),
                    sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0), sorted.size());
        });
        // every staying write that started while a fence was up, against those of the 5 s before each fence
        List<Double> during = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        for (RouterWorkload.Timing write : workload.timings()) {
            for (Fence fence : fences) {
                Rebalance.FenceAttempt attempt = fence.attempt();
                if (fence.moving().test(write.userId())) {
                    continue;
                }
                if (write.startMs() >= attempt.startedAtMs() && write.startMs() <= attempt.endedAtMs()) {
                    during.add(write.micros() / 1000.0);
                } else if (write.startMs() >= attempt.startedAtMs() - 5_000 && write.startMs() < attempt.startedAtMs()) {
                    before.add(write.micros() / 1000.0);
                }
            }
        }
        double stayingDuring = Percentiles.at(during.stream().sorted().toList(), 0.99);
        double stayingBefore = Percentiles.at(before.stream().sorted().toList(), 0.99);
        System.out.printf(Locale.ROOT, "writes to keys that stay: p99 %.1f ms over the %,d that started during a "
                + "fence, %.1f ms over the %,d of the 5 s before each fence%n", stayingDuring, during.size(),
                stayingBefore, before.size());
        Headlines.millis("cutover.pause.p50.ms", p50);
        Headlines.millis("cutover.pause.p99.ms", p99);
        Headlines.millis("cutover.pause.max.ms", max);
        Headlines.ratio("cutover.staying.p99.ratio", stayingBefore == 0 ? 0 : stayingDuring / stayingBefore);
    }

    private static double percentile(Timer timer, double p) {
        for (ValueAtPercentile value : timer.takeSnapshot().percentileValues()) {
            if (value.percentile() == p) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        throw new IllegalStateException("the router's pause timer publishes no p" + p);
    }

}
