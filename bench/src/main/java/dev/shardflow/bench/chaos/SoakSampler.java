package dev.shardflow.bench.chaos;

import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.GroupLag;
import dev.shardflow.testkit.kafka.ProcessKafkaCluster;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The soak's looks at the fleet: every {@link #SAMPLE_EVERY}, each process's resident set (from {@code /proc}), its
 * heap in use and live heap after the last collection (its {@code /metrics}) and how far it is behind (capture: its lag; a
 * writer: records not yet applied from its topics), until stopped; a line a minute.
 */
final class SoakSampler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SoakSampler.class);
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(15);
    private static final Pattern METER = Pattern.compile("^(jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}"
            + "|jvm_gc_live_data_size_bytes(?:\\{[^}]*})?|shardflow_capture_lag_seconds(?:\\{[^}]*})?) (\\S+)$");

    /** One look at one process: seconds into the run, resident set, heap in use, live heap, how far behind. */
    record Sample(long second, String process, double rssMb, double heapMb, double liveMb, double behind) {}

    private final ChaosRun.Rig rig;
    private final GroupLag lag;
    private final long started;
    private final List<Sample> samples;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean stop;

    SoakSampler(ChaosRun.Rig rig, ProcessKafkaCluster kafka, Admin admin, long started, List<Sample> samples) {
        this.rig = rig;
        this.lag = new GroupLag(kafka.connection(), admin, Duration.ofSeconds(10));
        this.started = started;
        this.samples = samples;
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        long lastPrinted = -60;
        while (!stop) {
            long second = (System.nanoTime() - started) / 1_000_000_000L;
            List<Sample> now = new ArrayList<>();
            for (String process : rig.fleet().names()) {
                now.add(sample(process, second));
            }
            synchronized (samples) {
                samples.addAll(now);
            }
            if (second - lastPrinted >= 60) {
                lastPrinted = second;
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "soak: %4d s, %,d writes;",
                        second, rig.workload().acknowledged()));
                now.forEach(s -> line.append(String.format(Locale.ROOT, " %s %.0f/%.0f MB %.0f",
                        s.process(), s.rssMb(), s.liveMb(), s.behind())));
                System.out.println(line);
            }
            try {
                Thread.sleep(SAMPLE_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Sample sample(String process, long second) {
        double rss = rssMb(rig.fleet().pid(process));
        double heap = -1;
        double live = -1;
        double behind = 0;
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(rig.fleet().metrics(process))
                    .header("Authorization", "Bearer " + rig.fleet().token()).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            heap = 0;
            for (String line : answer.body().split("\n")) {
                Matcher meter = METER.matcher(line);
                if (!meter.matches()) {
                    continue;
                }
                double value = Double.parseDouble(meter.group(2));
                if (meter.group(1).startsWith("jvm_memory_used_bytes")) {
                    heap += value / (1 << 20);
                } else if (meter.group(1).startsWith("jvm_gc_live_data_size_bytes")) {
                    live = value / (1 << 20);
                } else {
                    behind = Math.max(behind, value); // capture: seconds behind its source
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("soak: no meters from {}: {}", process, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.startsWith("writer-")) {
            behind = writerBehind(process.substring("writer-".length()));
        }
        return new Sample(second, process, rss, heap, live, behind);
    }

    private double writerBehind(String shard) {
        TopicNames names = TopicNames.of(rig.before());
        try {
            return lag.behind(ConsumerGroups.writer(rig.before().keyspace(), shard), names.apply(shard));
        } catch (Exception e) {
            return -1;
        }
    }

    private static double rssMb(long pid) {
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
