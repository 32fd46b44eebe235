package dev.shardflow.bench.chaos;

import dev.shardflow.bench.Headlines;
import dev.shardflow.bench.chaos.ChaosPlan.Kind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench/run chaos [runs] [seed]}: chaos runs, each on a system of its own with faults drawn from its seed
 * ({@link ChaosRun}); a line per run, the runs counted by fault kind, and the headline figures. A failed run prints
 * its seed: {@code bench/run chaos 1 SEED} replays it. Exits 1 if any run lost, regressed or orphaned a row, or did
 * not finish.
 */
public final class ChaosBench {

    private ChaosBench() {}

    public static void main(String[] args) {
        if (Boolean.getBoolean("chaos.plansOnly")) {
            System.out.println("chaos: the plans only (-Dchaos.plansOnly), nothing runs");
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.currentTimeMillis();
        System.out.printf(Locale.ROOT, "chaos: %d run(s) from seed %d%n", runs, seed);
        SplittableRandom seeds = new SplittableRandom(seed);
        List<ChaosRun.Result> results = new ArrayList<>();
        boolean partitions = Partition.available();
        System.out.println(partitions ? "chaos: network partitions drawn (root, iproute2)"
                : "chaos: no network partitions on this machine (they need root and iproute2's ip)");
        for (int i = 0; i < runs; i++) {
            long runSeed = runs == 1 ? seed : seeds.nextLong();
            if (Boolean.getBoolean("chaos.plansOnly")) {
                System.out.printf(Locale.ROOT, "run %d %s%n", i + 1, ChaosRun.plan(runSeed, partitions));
                continue;
            }
            ChaosRun.Result result = ChaosRun.run(ChaosRun.plan(runSeed, partitions));
            results.add(result);
            System.out.println(line(i + 1, result));
            if (!result.passed()) {
                System.out.printf(Locale.ROOT, "FAILED run: replay with  bench/run chaos 1 %d%n", runSeed);
                if (result.verdict() != null) {
                    result.verdict().findings().forEach(f -> System.out.println("  " + f));
                }
            }
            System.out.flush();
        }
        if (Boolean.getBoolean("chaos.plansOnly")) {
            return;
        }
        Summary summary = Summary.of(results);
        System.out.println(summary.byKind());
        Headlines.count("chaos.runs", results.size());
        Headlines.count("chaos.lost", summary.lost());
        Headlines.count("chaos.regressed", summary.regressed());
        Headlines.count("chaos.orphans", summary.orphans());
        System.exit(summary.failedRuns() == 0 ? 0 : 1);
    }

    static String line(int number, ChaosRun.Result r) {
        ChaosChecks.Verdict v = r.verdict();
        String violations = v == null ? "not checked" : String.format(Locale.ROOT,
                "lost %d, regressed %d, unexpected %d, orphans %d, reference %d, view %d, transfers %d", v.lost(),
                v.regressed(), v.unexpected(), v.orphans(), v.referenceDiffers(), v.viewDiffers(), v.transfers());
        ChaosRun.Transfers t = r.transfers();
        String transfers = t == null ? "" : String.format(Locale.ROOT, "; transfers %d committed, %d rolled back, "
                + "%d not run, %d in doubt", t.committed(), t.rolledBack(), t.notRun(), t.inDoubt());
        return String.format(Locale.ROOT, "run %d seed %d: add %s, %s; faults %s; outcome %s; pause %d ms%s; "
                + "%d writes acknowledged, %d in doubt%s; %s; restarts %s; %d s%s%s", number, r.plan().seed(),
                r.plan().added(), r.plan().ending().name().toLowerCase(Locale.ROOT), r.plan().faults(), r.outcome(),
                r.pauseMs(), r.forced() ? " (forced)" : "", r.acknowledged(), r.inDoubt(), transfers, violations, r.restarts(), r.took().toSeconds(),
                r.passed() ? "" : " — FAILED", r.failure() == null ? "" : " (" + r.failure() + ")");
    }

    /** The runs' totals and the runs counted by the kinds of fault they had. */
    record Summary(int lost, int regressed, int orphans, int failedRuns, Map<Kind, int[]> kinds) {
        static Summary of(List<ChaosRun.Result> results) {
            int lost = 0;
            int regressed = 0;
            int orphans = 0;
            int failed = 0;
            Map<Kind, int[]> kinds = new EnumMap<>(Kind.class);
            for (ChaosRun.Result r : results) {
                if (r.verdict() != null) {
                    // a transfer on one side only, or money gone from the balances, is an acknowledged write lost
                    lost += r.verdict().lost() + r.verdict().unexpected() + r.verdict().transfers();
                    regressed += r.verdict().regressed();
                    orphans += r.verdict().orphans();
                }
                if (!r.passed()) {
                    failed++;
                }
                r.plan().faults().stream().map(ChaosPlan.Fault::kind).distinct().forEach(kind -> {
                    int[] counts = kinds.computeIfAbsent(kind, k -> new int[2]);
                    counts[0]++;
                    counts[1] += r.passed() ? 0 : 1;
                });
            }
            return new Summary(lost, regressed, orphans, failed, kinds);
        }

        String byKind() {
            StringBuilder text = new StringBuilder("runs by fault kind (runs with it / of those failed):");
            kinds.forEach((kind, counts) -> text.append(String.format(Locale.ROOT, "%n  %-22s %3d / %d",
                    kind.name().toLowerCase(Locale.ROOT), counts[0], counts[1])));
            return text.toString();
        }
    }
}
