package dev.shardflow.capture;

import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.capture.debezium.CapturePublication;
import dev.shardflow.capture.debezium.RecordConverter;
import dev.shardflow.capture.kafka.ChangePublisher;
import dev.shardflow.capture.preflight.ReplicaIdentityWatch;
import dev.shardflow.capture.preflight.SourcePreflight;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.SourcePosition;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture of one source shard: one Debezium engine whose batches become change events on Kafka. A batch's source
 * offsets are committed only after Kafka acknowledged every event of it, so a crash re-sends some events (bounded
 * by the offset flush interval) and never loses one.
 */
public final class ShardCapture implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardCapture.class);

    /** Where the capture of a shard stands. */
    public enum State { STARTING, RUNNING, STOPPED, FAILED }

    private final CaptureOptions options;
    private final ShardSpec shard;
    private final RecordConverter converter;
    private final ChangePublisher publisher;
    private final Counter events;
    private final Counter deadLetters;
    private final AtomicLong eventCount = new AtomicLong();
    private final AtomicLong lastSourceTsMs = new AtomicLong();
    private final AtomicReference<SourcePosition> lastPosition = new AtomicReference<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final ExecutorService executor;
    private ReplicaIdentityWatch identities;
    private volatile boolean stopping;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    public ShardCapture(CaptureOptions options, ShardSpec shard, MeterRegistry registry) {
        this.options = options;
        this.shard = shard;
        this.converter = new RecordConverter(options.topology(), shard.id());
        this.publisher = new ChangePublisher(options.bootstrapServers(), TopicNames.of(options.topology()),
                options.topology().tables().stream().map(t -> t.name()).toList(), "shardflow-capture-" + shard.id());
        this.events = Counter.builder("shardflow.capture.events").tag("shard", shard.id())
                .description("change events written to Kafka").register(registry);
        this.deadLetters = Counter.builder("shardflow.capture.dlq").tag("shard", shard.id())
                .description("records sent to the dead-letter topic").register(registry);
        Gauge.builder("shardflow.capture.lag.ms", this, ShardCapture::lagMs).tag("shard", shard.id())
                .description("now minus the source commit time of the last event").register(registry);
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "capture-" + shard.id());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates the control tables if they are missing, then starts the engine; check the source first with
     * {@link SourcePreflight#check(dev.shardflow.core.topology.Topology, ShardSpec)}.
     */
    public void start() {
        String password = shard.password().resolve();
        SourceControlTables.ensure(shard, password);
        if (shard.engine() == Engine.POSTGRESQL) {
            CapturePublication.ensure(shard, password, EngineProperties.publicationName(options.topology()),
                    EngineProperties.capturedTables(options.topology(), shard));
            identities = new ReplicaIdentityWatch(shard, password, options.topology().tables(), 1_000,
                    System::currentTimeMillis);
        }
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(EngineProperties.of(options, shard, password))
                .notifying(this::handleBatch)
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
                .using((success, message, error) -> {
                    if (success || state.get() == State.STOPPED) {
                        state.compareAndSet(State.RUNNING, State.STOPPED);
                        log.info("capture of shard {} stopped: {}", shard.id(), message);
                    } else {
                        failure.set(message + (error == null ? "" : ": " + error.getMessage()));
                        state.set(State.FAILED);
                        log.error("capture of shard {} failed: {}", shard.id(), message, error);
                    }
                })
                .build();
        state.set(State.RUNNING);
        executor.execute(engine);
        log.info("capture of shard {} ({}) started", shard.id(), shard.engine().configName());
    }

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        ChangeEvent last = null;
        int written = 0;
        for (RecordChangeEvent<SourceRecord> record : records) {
            Optional<ChangeEvent> event;
            try {
                event = converter.convert(record.record());
            } catch (RuntimeException e) {
                // Bad input never stops the line: the record goes to the DLQ with its reason, the rest flows on.
                log.warn("capture of shard {}: record at {} sent to the dead-letter topic: {}", shard.id(),
                        record.record().sourceOffset(), e.getMessage());
                publisher.sendDeadLetter(shard.id(), record.record(), e);
                deadLetters.increment();
                continue;
            }
            Optional<String> incomplete = event.flatMap(this::incomplete);
            if (incomplete.isPresent()) {
                String reason = incomplete.get();
                log.warn("capture of shard {}: {} {} {} sent to the dead-letter topic: {}", shard.id(),
                        event.get().op(), event.get().table(), event.get().key(), reason);
                publisher.sendDeadLetter(event.get(), reason);
                deadLetters.increment();
                continue;
            }
            if (event.isPresent()) {
                publisher.send(event.get());
                last = event.get();
                written++;
            }
        }
        for (RecordChangeEvent<SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        if (stopping) {
            publisher.flush(); // the engine commits offsets unconditionally when it stops
        }
        committer.markBatchFinished();
        if (last != null) {
            eventCount.addAndGet(written);
            events.increment(written);
            lastPosition.set(last.source().position());
            lastSourceTsMs.set(last.source().tsMs());
        }
    }

    /**
     * Why a delete cannot be trusted to say where its row lived, or empty: on PostgreSQL, a relation of its table
     * (a partition created since the start, say) does not log whole old rows, and the placement column of the
     * delete holds what Debezium fills a missing value with.
     */
    private Optional<String> incomplete(ChangeEvent event) {
        if (identities == null) {
            return Optional.empty();
        }
        return identities.doubt(event).map(problem -> "the delete's old row may hold defaults instead of "
                + "the row's values (" + problem + "); after the fix, run verify, which reports any copy of the row "
                + "the delete did not reach");
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
        return eventCount.get();
    }

    public SourcePosition lastPosition() {
        return lastPosition.get();
    }

    /** Milliseconds between now and the source commit of the last event written; 0 before the first. */
    public double lagMs() {
        long ts = lastSourceTsMs.get();
        return ts == 0 ? 0 : Math.max(0, System.currentTimeMillis() - ts);
    }

    /** Stops the engine, which commits the offsets of what was written, and closes the producer. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.STOPPED);
        stopping = true;
        try {
            publisher.flush();
            if (engine != null) {
                engine.close();
            }
            executor.shutdown();
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("capture of shard {} did not stop within 60 s", shard.id());
            }
        } catch (IOException e) {
            log.warn("capture of shard {}: error while stopping the engine: {}", shard.id(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            publisher.close();
        }
        if (previous == State.RUNNING) {
            log.info("capture of shard {} closed after {} events", shard.id(), eventCount.get());
        }
    }
}
