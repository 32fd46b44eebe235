package dev.shardflow.bench.chaos;

import dev.shardflow.bench.Headlines;
import dev.shardflow.bench.chaos.ChaosPlan.Ending;
import dev.shardflow.bench.chaos.SoakSampler.Sample;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.kafka.ProcessKafkaCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench/run soak [minutes]}: the chaos harness's rig without faults, under a heavy write load for as long as
 * asked, while {@code maria2} joins the ring and leaves it again — out and back, again and again, at least twice —
 * each rebalance driven to complete as an operator would. Every 15 s it samples each fleet process: its resident set
 * (from {@code /proc}), its heap in use and its live heap after the last collection (its {@code /metrics}), and how
 * far it is behind (capture: its lag; a writer: records not yet applied from its topics). At the end the harness's
 * own checks judge the shards, and per process the first and the last quarter of the run are compared: what is flat
 * stays within the noise; what grows is a leak to find.
 *
 * <p>The load is {@code -Dsoak.writesPerSecond} (2,000 by default) from 8 application threads; the rate reached is
 * printed, since on a small machine the fleet, three brokers and four databases may not keep up with it.
 */
public final class SoakBench {
    private static final Logger log = LoggerFactory.getLogger(SoakBench.class);
    private static final Duration HOLD = Duration.ofSeconds(60);
    private static final String MOVER = "maria2";
    private static final int THREADS = 8;


    /** One rebalance of the soak: out or back, its outcome, how long it took, its cutover pause. */
    record Move(String request, String outcome, long seconds, long pauseMs, boolean forced) {}

    private SoakBench() {}

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int writesPerSecond = Integer.getInteger("soak.writesPerSecond", 2_000);
        int perThread = Math.max(1, writesPerSecond / THREADS);
        int transfers = Integer.getInteger("soak.transfersPerSecond", Math.max(1, writesPerSecond / 100));
        ChaosRun.Load load = new ChaosRun.Load(4_000, THREADS, perThread, transfers);
        System.out.printf(Locale.ROOT, "soak: %d min, %d writes/s asked (%d threads at %d/s) and %d transfers/s, %s "
                + "joining and leaving%n", minutes, THREADS * perThread, THREADS, perThread, transfers, MOVER);
        CompletableFuture<ProcessKafkaCluster> starting = CompletableFuture.supplyAsync(
                () -> ProcessKafkaCluster.start(3, Map.of()));
        List<AutoCloseable> running = new ArrayList<>();
        boolean passed;
        try (Testbed testbed = Testbed.builder().postgresShards(2).mariadbShards(2).start();
                ProcessKafkaCluster kafka = starting.join()) {
            ChaosRun.Rig rig = ChaosRun.Rig.start(testbed, kafka, MOVER, "soak", load, null, null, running);
            passed = soak(rig, kafka, Duration.ofMinutes(minutes));
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    log.warn("closing {} failed: {}", running.get(i), e.toString());
                }
            }
        }
        System.exit(passed ? 0 : 1);
    }

    private static boolean soak(ChaosRun.Rig rig, ProcessKafkaCluster kafka, Duration length) throws Exception {
        long started = System.nanoTime();
        long end = started + length.toNanos();
        List<Sample> samples = new ArrayList<>();
        List<Move> moves = new ArrayList<>();
        Topology ring;
        long acknowledgedAtStart = rig.workload().acknowledged();
        try (Admin admin = Admin.create(kafka.connection().client(Map.of()))) {
            SoakSampler sampler = new SoakSampler(rig, kafka, admin, started, samples);
            Thread sampling = new Thread(sampler, "soak-sampler");
            sampling.setDaemon(true);
            sampling.start();
            boolean out = false;
            // out and back at least twice, then as long as the soak lasts; it ends with the ring as it began
            while (moves.size() < 4 || System.nanoTime() < end || out) {
                Thread.sleep(HOLD.toMillis());
                Map<String, List<String>> request = Map.of(out ? "remove" : "add", List.of(MOVER));
                long moveStarted = System.nanoTime();
                Driver driver = new Driver(rig.fleet(), new ChaosPlan(moves.size(), MOVER, Ending.COMPLETE, List.of()),
                        null, request);
                String outcome = driver.drive(ChaosRun.WORKFLOW_DEADLINE);
                Move move = new Move(request.toString(), outcome, (System.nanoTime() - moveStarted) / 1_000_000_000L,
                        driver.pauseMs(), driver.forced());
                moves.add(move);
                System.out.printf(Locale.ROOT, "soak: rebalance %d %s: %s in %d s, cutover pause %d ms%s%n",
                        moves.size(), move.request(), outcome, move.seconds(), move.pauseMs(),
                        move.forced() ? " (forced)" : "");
                if (!outcome.equals("COMPLETED")) {
                    System.out.printf(Locale.ROOT, "soak: rebalance %d did not end: %s%n", moves.size(),
                            driver.whereItStands());
                    for (String service : List.of("topology-1", "topology-2", "rebalancer")) {
                        System.out.printf(Locale.ROOT, "soak: end of %s's log:%n%s%n", service,
                                rig.fleet().logTail(service, 40));
                    }
                    System.out.printf(Locale.ROOT, "soak: every process's log is in %s%n", rig.fleet().copyLogs(
                            Path.of("bench/target/soak-logs").toAbsolutePath()));
                    // an operator cancels a move that does not finish; the ring stays as it was before it
                    String cancelled = new Driver(rig.fleet(), new ChaosPlan(moves.size(), MOVER, Ending.CANCEL,
                            List.of()), null, request).drive(ChaosRun.WORKFLOW_DEADLINE);
                    System.out.printf(Locale.ROOT, "soak: rebalance %d cancelled: %s%n", moves.size(), cancelled);
                    break;
                }
                out = !out;
            }
            Thread.sleep(HOLD.toMillis());
            sampler.stop();
            sampling.join(30_000);
            ring = out ? rig.after() : rig.before();
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        double writesPerSecond = (rig.workload().acknowledged() - acknowledgedAtStart) / (double) seconds;
        rig.workload().close();
        rig.transfers().close();

        Topology owner = ring;
        for (long key = 1; key <= 4_000; key++) { // the ring the soak ended with, as planned at the start
            if (!owner.strategy().ownerOf(key).equals(rig.router().route(key).shard())) {
                throw new IllegalStateException("the ring is not as expected: key " + key + " is owned by "
                        + rig.router().route(key).shard() + ", not " + owner.strategy().ownerOf(key));
            }
        }
        ChaosChecks.Verdict verdict = ChaosRun.settle(rig, owner);
        Path csv = Files.createDirectories(Path.of("bench/target")).resolve("soak-samples.csv");
        writeCsv(csv, samples);
        printTrends(samples);
        System.out.printf(Locale.ROOT, "soak: %d s, %,d writes acknowledged (%.0f/s), %d in doubt; %d rebalances; "
                + "%s; checks: lost %d, regressed %d, unexpected %d, orphans %d, reference %d, view %d, transfers %d; "
                + "samples in %s%n", seconds, rig.workload().acknowledged(), writesPerSecond, rig.workload().inDoubt(),
                moves.size(), ChaosRun.Transfers.of(rig.transfers()), verdict.lost(), verdict.regressed(),
                verdict.unexpected(), verdict.orphans(), verdict.referenceDiffers(), verdict.viewDiffers(),
                verdict.transfers(), csv);
        verdict.findings().forEach(f -> System.out.println("  " + f));
        boolean completed = moves.stream().allMatch(m -> m.outcome().equals("COMPLETED"));
        Headlines.rate("soak.writes_per_second", writesPerSecond);
        Headlines.count("soak.rebalances", moves.size());
        Headlines.count("soak.lost", verdict.lost() + verdict.unexpected() + verdict.transfers());
        Headlines.count("soak.regressed", verdict.regressed());
        Headlines.count("soak.orphans", verdict.orphans());
        return completed && verdict.clean();
    }

    /** Per process, the first and the last quarter's medians of resident set and live heap, and the most behind. */
    private static void printTrends(List<Sample> samples) {
        Map<String, List<Sample>> byProcess = new LinkedHashMap<>();
        samples.forEach(s -> byProcess.computeIfAbsent(s.process(), p -> new ArrayList<>()).add(s));
        System.out.println("soak: per process, first quarter -> last quarter (medians), and the most behind seen");
        System.out.printf(Locale.ROOT, "  %-14s %17s %17s %17s %17s %12s%n", "process", "RSS MB", "heap used MB",
                "live heap MB", "CPU % of a core", "behind max");
        byProcess.forEach((process, list) -> {
            int quarter = Math.max(1, list.size() / 4);
            List<Sample> first = list.subList(0, quarter);
            List<Sample> last = list.subList(list.size() - quarter, list.size());
            System.out.printf(Locale.ROOT, "  %-14s" + " %7.0f -> %7.0f".repeat(4) + " %12.0f%n", process,
                    median(first, Sample::rssMb), median(last, Sample::rssMb), median(first, Sample::heapMb),
                    median(last, Sample::heapMb), median(first, Sample::liveMb), median(last, Sample::liveMb),
                    median(first, s -> s.cores() * 100), median(last, s -> s.cores() * 100),
                    list.stream().mapToDouble(Sample::behind).max().orElse(0));
        });
    }

    private static double median(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value) {
        double[] values = samples.stream().mapToDouble(value).filter(v -> v >= 0).sorted().toArray();
        return values.length == 0 ? -1 : values[values.length / 2];
    }

    private static void writeCsv(Path csv, List<Sample> samples) throws IOException {
        StringBuilder text = new StringBuilder("second,process,rss_mb,heap_mb,live_heap_mb,behind,cores\n");
        for (Sample s : samples) {
            text.append(String.format(Locale.ROOT, "%d,%s,%.1f,%.1f,%.1f,%.0f,%.2f%n", s.second(), s.process(),
                    s.rssMb(), s.heapMb(), s.liveMb(), s.behind(), s.cores()));
        }
        Files.writeString(csv, text);
    }

}
