package dev.shardflow.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether what a process depends on answers — its Kafka cluster, its target database — checked on a thread of its
 * own every interval, each check bounded by a timeout, so that readiness never waits on a server that is gone. Each
 * dependency is a {@link Health.Loop}: {@code REACHABLE}, or {@code UNREACHABLE} with the check's error.
 */
public final class Probes implements AutoCloseable {

    /** One check: returns when the dependency answers, throws saying why when it does not. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /** What a check throws when its dependency answers but is not ready for the process: a state of its own. */
    public static final class NotReady extends Exception {
        private static final long serialVersionUID = 1L;
        private final String state;

        /** @param state the dependency's state as the probe names it ({@code MISSING_PRIVILEGES}) */
        public NotReady(String state, String detail) {
            super(detail, null, false, false);
            this.state = state;
        }
    }

    private record Probe(String name, Check check) {}

    private final Duration interval;
    private final Duration timeout;
    private final List<Probe> probes = new CopyOnWriteArrayList<>();
    private final Map<String, Health.Loop> results = new ConcurrentHashMap<>();
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(daemon("probes"));
    private final ExecutorService checks = Executors.newCachedThreadPool(daemon("probe-check"));

    public Probes(Duration interval, Duration timeout) {
        this.interval = interval;
        this.timeout = timeout;
    }

    /** Adds a dependency; it counts as unreachable until its first check answers. */
    public Probes add(String name, Check check) {
        probes.add(new Probe(name, check));
        results.put(name, new Health.Loop(name, false, "UNKNOWN", "not checked yet"));
        return this;
    }

    /** Checks every dependency now, then every interval. */
    public Probes start() {
        schedule.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Checks every dependency once, on this thread; what {@link #start} does every interval. */
    public void checkAll() {
        for (Probe probe : probes) {
            results.put(probe.name(), check(probe));
        }
    }

    private Health.Loop check(Probe probe) {
        Future<?> answer = checks.submit(() -> {
            probe.check().run();
            return null;
        });
        try {
            answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Health.Loop(probe.name(), true, "REACHABLE", "");
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Health.Loop(probe.name(), false, "UNREACHABLE", "no answer within " + timeout.toMillis()
                    + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NotReady notReady) {
                return new Health.Loop(probe.name(), false, notReady.state, notReady.getMessage());
            }
            return new Health.Loop(probe.name(), false, "UNREACHABLE", cause.getMessage() != null ? cause.getMessage()
                    : cause.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Health.Loop(probe.name(), false, "UNKNOWN", "check interrupted");
        }
    }

    /** Each dependency as its last check found it, in the order they were added. */
    public List<Health.Loop> loops() {
        List<Health.Loop> loops = new ArrayList<>();
        probes.forEach(probe -> loops.add(results.get(probe.name())));
        return loops;
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        checks.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
