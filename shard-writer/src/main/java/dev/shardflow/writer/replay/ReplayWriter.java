package dev.shardflow.writer.replay;

import dev.shardflow.jdbc.ShardPools;
import dev.shardflow.jdbc.Throttle;
import dev.shardflow.writer.apply.BatchApplier;
import dev.shardflow.writer.apply.Change;
import dev.shardflow.writer.apply.Rejected;
import dev.shardflow.writer.kafka.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a replay's changes: in batches through the writer's {@link BatchApplier} on a thread of its own, so that
 * reading and converting the next batch overlaps with writing this one; throttled; what a batch rejects goes to the
 * dead-letter topic with the reason.
 */
final class ReplayWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplayWriter.class);

    /** The pool a replay writes through: one connection applies, one reads. */
    static final ShardPools.Use POOL = new ShardPools.Use("replay", 2, 1, false, Duration.ofSeconds(10));

    private final String target;
    private final BatchApplier applier;
    private final DeadLetters deadLetters;
    private final int batchRows;
    private final Throttle throttle;
    private final long startedNanos = System.nanoTime();
    private final List<Change> batch = new ArrayList<>();
    private final ExecutorService applying = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "replay-apply");
        thread.setDaemon(true);
        return thread;
    });
    private Future<BatchApplier.Outcome> inFlight;
    private int inFlightChanges;
    private long applied;
    private long deadLettered;

    ReplayWriter(String target, BatchApplier applier, DeadLetters deadLetters, int batchRows, Throttle throttle) {
        this.target = target;
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.batchRows = batchRows;
        this.throttle = throttle;
    }

    void add(Change change) throws InterruptedException {
        batch.add(change);
        if (batch.size() >= batchRows) {
            flush();
        }
    }

    /** Hands the batch to the applying thread, after the one before it is written. */
    void flush() throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        awaitApplied();
        List<Change> changes = List.copyOf(batch);
        batch.clear();
        inFlight = applying.submit(() -> applier.apply(changes));
        inFlightChanges = changes.size();
    }

    /** Writes what is left and waits until it is written: everything added so far is then in place. */
    void drain() throws InterruptedException {
        flush();
        awaitApplied();
    }

    private void awaitApplied() throws InterruptedException {
        if (inFlight == null) {
            return;
        }
        BatchApplier.Outcome outcome;
        try {
            outcome = inFlight.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new ReplayException(target + " could not be written during the replay (" + cause.getMessage()
                    + "); run the replay again once it is back: it is idempotent", cause);
        } finally {
            inFlight = null;
        }
        applied += inFlightChanges - outcome.rejected().size();
        for (Rejected rejected : outcome.rejected()) {
            deadLetter(rejected);
        }
        Thread.sleep(throttle.waitMillis(applied, System.nanoTime() - startedNanos));
    }

    void deadLetter(Rejected rejected) {
        deadLetters.send(rejected);
        deadLetters.flush();
        deadLettered++;
        log.warn("replay of {}: {} at {}:{}@{} sent to the dead-letter topic: {}", target,
                rejected.event() == null ? "a record" : rejected.event().table() + " " + rejected.event().key(),
                rejected.origin().topic(), rejected.origin().partition(), rejected.origin().offset(),
                rejected.reason());
    }

    long applied() {
        return applied;
    }

    long deadLettered() {
        return deadLettered;
    }

    @Override
    public void close() {
        applying.shutdownNow();
        deadLetters.close();
    }
}
