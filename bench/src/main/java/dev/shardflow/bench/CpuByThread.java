package dev.shardflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where the CPU went during a measured span: this process's threads' CPU time, summed by the part of the system
 * each belongs to (by thread name), next to the whole machine's busy time from {@code /proc/stat} — what is left is
 * the database servers and everything else outside this JVM.
 */
public final class CpuByThread {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Function<String, String> partOf;
    private final Map<Long, Long> threadNanos = new HashMap<>();
    private final long[] machine;
    private final long processNanos = processCpuNanos();
    private final long compileMs = compileMillis();
    private final long gcMs = gcMillis();
    private final long wallNanos = System.nanoTime();

    private CpuByThread(Function<String, String> partOf) {
        this.partOf = partOf;
        for (long id : THREADS.getAllThreadIds()) {
            threadNanos.put(id, Math.max(0, THREADS.getThreadCpuTime(id)));
        }
        this.machine = machineTicks();
    }

    /** The part of shardflow a thread of a process that runs all of them belongs to, by the thread's name. */
    public static String partOf(String thread) {
        if (thread.contains("StreamThread") || thread.contains("rebalancer")) {
            return "rebalancer";
        }
        if (thread.contains("writer")) {
            return thread.endsWith("-prepare") ? "writer (decode)" : "writer (apply loop)";
        }
        if (thread.contains("router")) {
            return "application and its router";
        }
        // Debezium's engines convert and hand on records in executor threads of their own
        if (thread.contains("capture") || thread.contains("debezium") || thread.startsWith("pool-")) {
            return "capture";
        }
        if (thread.contains("topology") || thread.contains("leader")) {
            return "topology service";
        }
        return "broker and the rest";
    }

    /** Starts a span; {@code partOf} names the part of a thread by its name. */
    public static CpuByThread start(Function<String, String> partOf) {
        return new CpuByThread(partOf);
    }

    /**
     * One line per part: CPU seconds since the start and the share of one core over the span, then the machine's
     * busy share of all its cores and how much of it was outside this JVM.
     */
    public String report() {
        double wall = (System.nanoTime() - wallNanos) / 1e9;
        Map<String, Long> byPart = new TreeMap<>();
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long now = THREADS.getThreadCpuTime(info.getThreadId());
            if (now < 0) {
                continue;
            }
            long spent = now - threadNanos.getOrDefault(info.getThreadId(), 0L);
            byPart.merge(partOf.apply(info.getThreadName()), spent, Long::sum);
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        byPart.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder out = new StringBuilder();
        long jvm = 0;
        for (var e : sorted.entrySet()) {
            jvm += e.getValue();
            out.append(String.format(Locale.ROOT, "    %-22s %7.1f s CPU  %5.0f %% of a core%n", e.getKey(),
                    e.getValue() / 1e9, 100 * e.getValue() / 1e9 / wall));
        }
        long process = processCpuNanos() - processNanos;
        if (processNanos >= 0 && process > jvm) {
            out.append(String.format(Locale.ROOT, "    %-22s %7.1f s CPU  %5.0f %% of a core (compiler threads busy "
                    + "%.1f s, collections %.1f s)%n", "JVM (JIT, GC, ended)", (process - jvm) / 1e9,
                    100 * (process - jvm) / 1e9 / wall, (compileMillis() - compileMs) / 1e3, (gcMillis() - gcMs) / 1e3));
            jvm = process;
        }
        long[] now = machineTicks();
        if (machine != null && now != null) {
            double busy = now[0] - machine[0];
            double total = now[1] - machine[1];
            int cores = Runtime.getRuntime().availableProcessors();
            double busySeconds = busy / total * wall * cores;
            out.append(String.format(Locale.ROOT, "    machine busy %.0f %% of %d cores over %.1f s: %.1f s CPU, of which"
                    + " %.1f s in this JVM and %.1f s outside it (the databases and the rest)%n", 100 * busy / total,
                    cores, wall, busySeconds, jvm / 1e9, Math.max(0, busySeconds - jvm / 1e9)));
        }
        return out.toString();
    }

    /** This process's CPU time, every thread of it (garbage collection and compilation too), or -1. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static long compileMillis() {
        var compilation = ManagementFactory.getCompilationMXBean();
        return compilation != null && compilation.isCompilationTimeMonitoringSupported()
                ? compilation.getTotalCompilationTime() : 0;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(gc -> Math.max(0,
                gc.getCollectionTime())).sum();
    }

    /** Busy and total jiffies of all cores, or null where {@code /proc/stat} is not there. */
    private static long[] machineTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            long idle = Long.parseLong(cpu[4]) + (cpu.length > 5 ? Long.parseLong(cpu[5]) : 0);
            return new long[] {total - idle, total};
        } catch (Exception e) {
            return null;
        }
    }
}
