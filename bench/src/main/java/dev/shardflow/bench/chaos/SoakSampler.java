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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The soak's looks at the fleet: every {@link #SAMPLE_EVERY}, each process's resident set and the share of a core it
 * used since the last look (from {@code /proc}), its heap in use and live heap after the last collection (its
 * {@code /metrics}) and how far it is behind (capture: seconds behind its source; the rebalancer: change records a
 * running move has yet to read; a writer: records not yet applied from its topics), until stopped; a line a minute,
 * with how busy the whole machine was and how far the views are behind.
 */
final class SoakSampler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SoakSampler.class);
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(15);
    /** The kernel's clock ticks a second, in which {@code /proc/<pid>/stat} counts CPU time (USER_HZ). */
    private static final long TICKS_PER_SECOND = 100;
    private static final Pattern METER = Pattern.compile("^(jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}"
            + "|jvm_gc_live_data_size_bytes(?:\\{[^}]*})?|shardflow_capture_lag_seconds(?:\\{[^}]*})?) (\\S+)$");

    /**
     * One look at one process: seconds into the run, resident set, heap in use, live heap, how far behind, and the
     * cores it used since the last look (1.0: one core all the time).
     */
    record Sample(long second, String process, double rssMb, double heapMb, double liveMb, double behind,
            double cores) {}

    private final ChaosRun.Rig rig;
    private final GroupLag lag;
    private final long started;
    private final List<Sample> samples;
    private final Admin admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** By process, its CPU ticks and the time at the last look. */
    private final Map<String, long[]> lastTicks = new HashMap<>();
    /** The machine's busy and total ticks at the last look; null before the first. */
    private long[] lastMachineTicks;
    /** Every partition of the change topics, read once. */
    private List<TopicPartition> changePartitions;
    private volatile boolean stop;

    SoakSampler(ChaosRun.Rig rig, ProcessKafkaCluster kafka, Admin admin, long started, List<Sample> samples) {
        this.rig = rig;
        this.lag = new GroupLag(kafka.connection(), admin, Duration.ofSeconds(10));
        this.admin = admin;
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
            double busy = machineBusy();
            if (second - lastPrinted >= 60) {
                lastPrinted = second;
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                        "soak: %4d s, %,d writes, machine %.0f %% busy, views %s behind;", second,
                        rig.workload().acknowledged(), busy * 100, viewsBehind()));
                now.forEach(s -> line.append(String.format(Locale.ROOT, " %s %.0f/%.0f MB %.0f %.0f%%",
                        s.process(), s.rssMb(), s.liveMb(), s.behind(), s.cores() * 100)));
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
        } else if (process.equals("rebalancer")) {
            behind = moveBehind();
        }
        return new Sample(second, process, rss, heap, live, behind, cores(process, rig.fleet().pid(process)));
    }

    /** The change records the running moves have yet to read; 0 when none runs. */
    private double moveBehind() {
        String application = ConsumerGroups.rebalancer(rig.before().keyspace());
        String prefix = application + "-";
        String views = ConsumerGroups.views(application);
        String poison = ConsumerGroups.poisonWatch(application);
        try {
            List<String> moves = new ArrayList<>();
            for (var group : admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS)) {
                String id = group.groupId();
                if (id.startsWith(prefix) && !id.equals(views) && !id.equals(poison)) {
                    moves.add(id);
                }
            }
            double behind = 0;
            // a move that ended keeps its group and its offsets, but no member: only the running ones count
            for (var group : admin.describeConsumerGroups(moves).all().get(10, TimeUnit.SECONDS).values()) {
                if (!group.members().isEmpty()) {
                    behind += changeLag(group.groupId());
                }
            }
            return behind;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The change records the views have yet to read, or "?" when that cannot be read now. */
    private String viewsBehind() {
        try {
            return String.format(Locale.ROOT, "%,d", changeLag(ConsumerGroups.views(
                    ConsumerGroups.rebalancer(rig.before().keyspace()))));
        } catch (Exception e) {
            return "?";
        }
    }

    private long changeLag(String group) throws Exception {
        if (changePartitions == null) {
            TopicNames names = TopicNames.of(rig.before());
            List<String> topics = rig.before().tables().stream().map(t -> names.cdc(t.name())).toList();
            List<TopicPartition> partitions = new ArrayList<>();
            admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                    description.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
            changePartitions = partitions;
        }
        return lag.behind(group, changePartitions);
    }

    /** The cores {@code process} used since the last look at it, from its user and system ticks. */
    private double cores(String process, long pid) {
        if (pid < 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            long[] last = lastTicks.put(process, new long[] {ticks, System.nanoTime()});
            if (last == null || last[0] > ticks) {
                return -1; // the first look, or a process started again since
            }
            double seconds = (System.nanoTime() - last[1]) / 1e9;
            return (ticks - last[0]) / (double) TICKS_PER_SECOND / seconds;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The share of the machine's CPU time that was busy since the last look. */
    private double machineBusy() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]); // idle, iowait
            long[] last = lastMachineTicks;
            lastMachineTicks = new long[] {total - idle, total};
            return last == null || total == last[1] ? -1 : (total - idle - last[0]) / (double) (total - last[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
