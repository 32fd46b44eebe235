package dev.shardflow.capture;

import dev.shardflow.capture.debezium.CapturePublication;
import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.capture.kafka.ChangePublisher;
import dev.shardflow.capture.preflight.IndexWatch;
import dev.shardflow.capture.preflight.ReplicaIdentityWatch;
import dev.shardflow.capture.preflight.SourcePreflight;
import dev.shardflow.core.event.SourcePosition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.Privileges;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture of one source shard: one Debezium engine whose batches become change events on Kafka. A batch's source
 * offsets are committed only after Kafka acknowledged every event of it, so a crash re-sends some events (bounded
 * by the offset flush interval) and never loses one.
 *
 * <p>One role in one file, longer than most: waiting for grants, starting, restarting and the bounded stop are the
 * transitions of one state ({@link State}), and each must see what the others did to it.
 */
public final class ShardCapture implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardCapture.class);

    /** How often a shard whose user lacks a privilege asks again. */
    static final long GRANT_RECHECK_MS = 10_000;
    /** How often the managed tables' indexes are read from the source, while changes flow ({@link IndexWatch}). */
    static final long INDEX_REFRESH_MS = 10_000;

    /** Where the capture of a shard stands. */
    public enum State { STARTING, RUNNING, RETRYING, STOPPED, FAILED }

    private final CaptureOptions options;
    private final ShardSpec shard;
    private final MeterRegistry registry;
    private final ShardBatches batches;
    private volatile ChangePublisher publisher;
    private final Restarts restarts;
    private final Counter restartCounter;
    private volatile long engineStartedMs;
    private volatile boolean engineRunning;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private volatile boolean stopping;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    public ShardCapture(CaptureOptions options, ShardSpec shard, MeterRegistry registry) {
        this.options = options;
        this.shard = shard;
        this.registry = registry;
        this.batches = new ShardBatches(options, shard, registry);
        for (State each : State.values()) {
            io.micrometer.core.instrument.Gauge.builder("shardflow.capture.state", state,
                    current -> current.get() == each ? 1 : 0).tag("shard", shard.id()).tag("state", each.name())
                    .description("1 for the state the shard's capture is in").register(registry);
        }
        this.restarts = new Restarts(options.restartAttempts(), options.restartBackoffMaxMs());
        this.restartCounter = Counter.builder("shardflow.capture.restarts").tag("shard", shard.id())
                .description("restarts of the shard's engine after a failure").register(registry);
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "capture-" + shard.id());
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "capture-restart-" + shard.id());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates the control tables if they are missing, then starts the engine; check the source first with
     * {@link SourcePreflight#check(dev.shardflow.core.topology.Topology, ShardSpec)}. While its user lacks a
     * privilege capture needs, the shard waits {@code RETRYING}, naming the GRANT, and starts once it is given.
     */
    public void start() {
        if (stopping || !privileged()) {
            return;
        }
        String password = shard.password().resolve();
        SourceControlTables.ensure(shard, password);
        if (shard.engine() == Engine.POSTGRESQL) {
            CapturePublication.ensure(shard, password, EngineProperties.publicationName(options.topology()),
                    EngineProperties.capturedTables(options.topology(), shard));
            batches.watchIdentities(new ReplicaIdentityWatch(shard, password, options.topology().tables(), 1_000,
                    System::currentTimeMillis));
        }
        batches.watchIndexes(new IndexWatch(shard, password, options.topology().tables().stream()
                .map(dev.shardflow.core.topology.TableSpec::name).toList(), INDEX_REFRESH_MS,
                System::currentTimeMillis));
        launch();
        log.info("capture of shard {} ({}) started", shard.id(), shard.engine().configName());
    }

    /**
     * Whether the shard's user holds what capture needs; if not, the shard waits {@code RETRYING}, saying which GRANT
     * is missing, and asks again every {@link #GRANT_RECHECK_MS} ms. A source that cannot be asked is left to the
     * start, which fails on it with its own error.
     */
    private boolean privileged() {
        List<Privileges.Missing> missing;
        try {
            missing = SourcePreflight.privileges(options.topology(), shard, false);
        } catch (SQLException e) {
            return true;
        }
        if (missing.isEmpty()) {
            if (state.get() == State.RETRYING) {
                log.info("capture of shard {}: its user now holds every privilege capture needs; starting",
                        shard.id());
            }
            return true;
        }
        String reason = "missing privileges: " + missing.stream().map(Privileges.Missing::toString)
                .collect(java.util.stream.Collectors.joining("; "));
        boolean first = !reason.equals(failure.getAndSet(reason));
        state.set(State.RETRYING);
        if (first) {
            log.error("capture of shard {} waits for its user {}: {}; it starts once they are granted, checking every "
                    + "{} s", shard.id(), shard.user(), reason, GRANT_RECHECK_MS / 1000);
        }
        try {
            scheduler.schedule(this::startLogged, GRANT_RECHECK_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // closing
        }
        return false;
    }

    /**
     * Waits {@code RETRYING} for a source that cannot be reached ({@code reason}), asking every
     * {@link #GRANT_RECHECK_MS} ms; once it answers, checks it as the start checks every source and starts — or, when
     * the checks find a problem, stays FAILED naming it.
     */
    public void awaitSource(String reason) {
        failure.set("source unreachable: " + reason + "; capture starts once it answers");
        state.set(State.RETRYING);
        log.error("capture of shard {} waits for its source: {}; the other shards are captured meanwhile, and this one "
                + "starts once it answers, checking every {} s", shard.id(), reason, GRANT_RECHECK_MS / 1000);
        scheduleSourceCheck();
    }

    private void scheduleSourceCheck() {
        try {
            scheduler.schedule(this::sourceCheck, GRANT_RECHECK_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // closing
        }
    }

    private void sourceCheck() {
        if (stopping) {
            return;
        }
        String password;
        try {
            password = shard.password().resolve();
        } catch (IllegalStateException e) {
            fail(e.getMessage());
            return;
        }
        java.util.Optional<String> outage = SourcePreflight.unreachable(shard, password);
        if (outage.isPresent()) {
            failure.set("source unreachable: " + outage.get() + "; capture starts once it answers");
            scheduleSourceCheck();
            return;
        }
        List<String> problems = SourcePreflight.check(options.topology(), shard);
        if (!problems.isEmpty()) {
            fail("source not ready: " + String.join("; ", problems));
            return;
        }
        log.info("capture of shard {}: its source answers and is ready; starting", shard.id());
        startLogged();
    }

    private void fail(String reason) {
        failure.set(reason);
        state.set(State.FAILED);
        log.error("capture of shard {} cannot start: {}", shard.id(), reason);
    }

    private void startLogged() {
        try {
            start();
        } catch (RuntimeException e) {
            failure.set(e.getMessage());
            state.set(State.FAILED);
            log.error("capture of shard {} cannot start: {}", shard.id(), e.getMessage());
        }
    }

    /** Starts an engine from the last committed position, with a producer of its own. */
    private synchronized void launch() {
        if (stopping) {
            return;
        }
        ChangePublisher publisher = new ChangePublisher(options.kafka(), options.topology(),
                "shardflow-capture-" + shard.id()).withMetrics(registry);
        this.publisher = publisher;
        DebeziumEngine<RecordChangeEvent<SourceRecord>> started = DebeziumEngine.create(
                        ChangeEventFormat.of(Connect.class))
                .using(EngineProperties.of(options, shard, shard.password().resolve()))
                .notifying((records, committer) -> batches.handle(publisher, records, committer, stopping))
                // Offsets are committed only after the producer has flushed: a commit never passes a record
                // Kafka has not acknowledged, while batches stream without waiting for acknowledgements.
                .using(new io.debezium.engine.spi.OffsetCommitPolicy() {
                    @Override
                    public boolean performCommit(long numberOfMessagesSinceLastCommit, java.time.Duration sinceLast) {
                        boolean due = sinceLast.toMillis() >= options.offsetFlushIntervalMs();
                        if (due) {
                            publisher.flush();
                        }
                        return due;
                    }
                })
                .using((success, message, error) -> ended(publisher, success, message, error))
                .build();
        engine = started;
        engineRunning = true;
        engineStartedMs = System.currentTimeMillis();
        batches.capturedSinceLastAsked();
        state.set(State.RUNNING);
        executor.execute(started);
    }

    /**
     * The engine ended: stopped on request, or failed, or stopped by itself. One not stopped on request starts again
     * from the last committed position after a wait, until the restarts in a row are used up; then the shard stays
     * FAILED, saying why.
     */
    private void ended(ChangePublisher publisher, boolean success, String message, Throwable error) {
        publisher.closeNow();
        engineRunning = false;
        if (stopping) {
            state.compareAndSet(State.RUNNING, State.STOPPED);
            log.info("capture of shard {} stopped: {}", shard.id(), message);
            return;
        }
        // capture never ends by itself: an engine that says it completed normally while nobody stopped it (a
        // MariaDB/MySQL connector after its binlog connection was lost and found again, say) starts again too
        String reason = success ? "the engine stopped by itself: " + message : describe(message, error);
        failure.set(reason);
        long waitMs = restarts.next(System.currentTimeMillis() - engineStartedMs,
                batches.capturedSinceLastAsked());
        if (waitMs < 0) {
            failure.set("failed after " + restarts.attempts() + " restarts in a row: " + reason);
            state.set(State.FAILED); // after its reason: whoever sees FAILED reads why
            log.error("capture of shard {} failed after {} restarts in a row and stays FAILED: {}; fix the cause and "
                    + "restart the capture process", shard.id(), restarts.attempts(), reason, error);
            return;
        }
        state.set(State.RETRYING);
        restartCounter.increment();
        log.warn("capture of shard {} failed: {}; starting again from its last committed position in {} ms "
                + "(restart {} of {} in a row)", shard.id(), reason, waitMs, restarts.inARow(), restarts.attempts());
        log.debug("capture of shard {}: the failure in full", shard.id(), error);
        try {
            scheduler.schedule(this::launchLogged, waitMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // closing: nothing starts again
        }
    }

    private void launchLogged() {
        try {
            launch();
        } catch (RuntimeException e) {
            ended(publisher, false, "cannot start the engine", e);
        }
    }

    /** The engine's message, and the root cause of its error where the message does not already say it. */
    static String describe(String message, Throwable error) {
        String text = message == null || message.isBlank() ? "the engine stopped" : message;
        if (error == null) {
            return text;
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        for (Throwable t : new Throwable[] {error, root}) {
            String said = t.getMessage();
            if (said != null && !text.contains(said)) {
                text += " (" + t.getClass().getSimpleName() + ": " + said + ")";
            }
        }
        return text;
    }

    public State state() {
        return state.get();
    }

    /** Why the capture failed, or null. */
    public String failure() {
        return failure.get();
    }

    public String shardId() {
        return shard.id();
    }

    public long eventCount() {
        return batches.eventCount();
    }

    /** The binlog file capture reads on (MariaDB/MySQL), or null before its first batch. */
    String binlogFile() {
        return batches.binlogFile();
    }

    public SourcePosition lastPosition() {
        return batches.lastPosition();
    }

    /** Milliseconds between now and the source commit of the last event written; 0 before the first. */
    public double lagMs() {
        return batches.lagMs();
    }

    /** Restarts of the shard's engine after a failure since this capture was created. */
    public long restarts() {
        return restarts.total();
    }

    /**
     * Stops the engine, which commits the offsets of what Kafka acknowledged, and closes the producer, within
     * {@code shutdownTimeoutMs} even when Kafka or the source is gone: what is not acknowledged by then is dropped
     * with its offsets uncommitted, so the next start captures it again.
     */
    @Override
    public void close() {
        State previous = state.getAndSet(State.STOPPED);
        synchronized (this) {
            stopping = true;
        }
        scheduler.shutdownNow();
        ChangePublisher current = publisher;
        if (!engineRunning) { // failed for good, or between two restarts: nothing in flight
            executor.shutdown();
            if (current != null) {
                current.closeNow();
            }
            return;
        }
        Thread stopper = new Thread(() -> {
            try {
                current.flush();
            } catch (RuntimeException e) {
                log.warn("capture of shard {}: {}; its offsets stay where Kafka last acknowledged", shard.id(),
                        e.getMessage());
            }
            try {
                if (engine != null) {
                    engine.close();
                }
            } catch (IOException | RuntimeException e) {
                log.warn("capture of shard {}: error while stopping the engine: {}", shard.id(), e.toString());
            }
        }, "capture-stop-" + shard.id());
        stopper.setDaemon(true);
        stopper.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.shutdownTimeoutMs());
        try {
            stopper.join(options.shutdownTimeoutMs());
            if (stopper.isAlive()) {
                log.warn("capture of shard {} did not stop within {} ms (Kafka or the source unreachable?); what "
                        + "Kafka has not acknowledged is dropped and captured again at the next start", shard.id(),
                        options.shutdownTimeoutMs());
            }
            current.closeNow();
            executor.shutdown();
            executor.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            current.closeNow();
        }
        if (previous == State.RUNNING) {
            log.info("capture of shard {} closed after {} events", shard.id(), batches.eventCount());
        }
    }
}
