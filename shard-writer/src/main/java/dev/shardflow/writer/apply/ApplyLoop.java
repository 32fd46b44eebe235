package dev.shardflow.writer.apply;

import static dev.shardflow.core.event.ChangeEvent.FENCE_HOPS_HEADER;
import static dev.shardflow.core.event.ChangeEvent.FENCE_PATH_HEADER;

import dev.shardflow.core.retry.Backoff;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.writer.kafka.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's consumer loop: poll a batch, apply it in one transaction, send its rejected changes to the
 * dead-letter topic, and only then commit the batch's offsets. If the target cannot be reached, the same batch is
 * retried with bounded exponential backoff, one log line per attempt, until it applies; while it waits the consumer
 * keeps polling (paused) so that it stays in its group, and changes of partitions taken away meanwhile are left to
 * their new writer. A crash between the commit to the database and the commit to Kafka re-applies a batch, which
 * the version guard makes harmless.
 *
 * <p>Reading and converting a batch takes about as long as writing one, so a second thread prepares the next batch
 * while this one writes the current one; every consumer call stays on this thread.
 *
 * <p>One role in one file, longer than most: polling, retrying, the partitions' generations and committing share
 * the one consumer, which Kafka allows on one thread only, and their order is what makes a batch applied once.
 */
public final class ApplyLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ApplyLoop.class);

    /** Where the loop stands. */
    public enum State { STARTING, RUNNING, RETRYING, STOPPED, FAILED }

    private final String shard;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final BatchApplier applier;
    private final Supplier<DeadLetters> deadLetterFactory;
    private final Backoff backoff;
    private final WriterMeters meters;
    private final long logIntervalMs;
    // bumped each time a partition is taken away; a batch holds the generations it was read under
    private final Map<TopicPartition, Integer> generation = new HashMap<>();
    private final Topology keyspace;
    // partitions held at a schema event, and when to look at the event again
    private final Map<TopicPartition, Long> heldUntil = new HashMap<>();
    private final Map<TopicPartition, String> holdReasons = new java.util.concurrent.ConcurrentHashMap<>();
    private DeadLetters deadLetters;
    private volatile State state = State.STARTING;
    private volatile String lastError = "";
    private volatile boolean stopping;
    private long lastLog = System.nanoTime();

    public ApplyLoop(String shard, Topology keyspace, KafkaConsumer<byte[], byte[]> consumer, List<String> topics,
            BatchApplier applier, Supplier<DeadLetters> deadLetterFactory, Backoff backoff, WriterMeters meters,
            long logIntervalMs) {
        this.shard = shard;
        this.keyspace = keyspace;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.applier = applier;
        this.deadLetterFactory = deadLetterFactory;
        this.backoff = backoff;
        this.meters = meters;
        this.logIntervalMs = logIntervalMs;
    }

    public State state() {
        return state;
    }

    /** How often a partition held at a schema event looks at it again: whether the move was resumed. */
    static final Duration HOLD_RECHECK = Duration.ofSeconds(5);

    /** Why each partition held at a schema event is held; empty while none is. */
    public Map<String, String> holds() {
        Map<String, String> reasons = new java.util.TreeMap<>();
        holdReasons.forEach((partition, reason) -> reasons.put(partition.toString(), reason));
        return reasons;
    }

    /** Why the loop last retried or failed; empty before it ever did. Never a secret. */
    public String lastError() {
        return lastError;
    }

    /** One poll's records on their way: read, prepared (possibly ahead of time), written, committed. */
    private static final class Batch {
        final List<Change> changes = new ArrayList<>();
        final List<Rejected> unreadable = new ArrayList<>();
        final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        final Map<TopicPartition, Integer> generations = new HashMap<>();
        PreparedBatch prepared;
    }

    @Override
    public void run() {
        deadLetters = deadLetterFactory.get();
        ExecutorService preparer = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "writer-" + shard + "-prepare");
            thread.setDaemon(true);
            return thread;
        });
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> generation.merge(p, 1, Integer::sum));
                    release(partitions);
                    commitPending();
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> generation.merge(p, 1, Integer::sum));
                    release(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        log.info("writer {}: applying partitions {}", shard, partitions);
                    }
                }
            });
            state = State.RUNNING;
            Future<Batch> ahead = null;
            while (!stopping) {
                lookAgainAtHolds();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(ahead == null ? Duration.ofMillis(200)
                        : Duration.ZERO);
                Batch current = ahead == null ? null : ahead.get();
                // the next batch is read and prepared while the current one is written
                ahead = records.isEmpty() ? null : preparer.submit(read(records));
                if (current != null) {
                    applyUntilDone(current);
                }
                logProgress();
            }
            state = State.STOPPED;
        } catch (WakeupException e) {
            state = State.STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = State.STOPPED;
        } catch (RuntimeException | ExecutionException e) {
            lastError = e.toString();
            state = State.FAILED;
            log.error("writer {}: stopped by an unexpected error; nothing after the last committed batch is lost, "
                    + "restart the writer once the cause is fixed", shard, e);
        } finally {
            preparer.shutdownNow();
            commitQuietly();
            consumer.close();
            deadLetters.close();
        }
    }

    /** Asks the loop to stop after its current attempt; records not committed are applied again by the next writer. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** The work of the preparing thread: decode the records and convert them for the target. */
    private Callable<Batch> read(ConsumerRecords<byte[], byte[]> records) {
        Batch batch = new Batch();
        for (TopicPartition partition : records.partitions()) {
            batch.generations.put(partition, generation.getOrDefault(partition, 0));
        }
        long readMs = System.currentTimeMillis();
        return () -> {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                Origin origin = new Origin(record.topic(), record.partition(), record.offset(), record.key(),
                        record.value(), fenceCopy(record, readMs));
                batch.next.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
                try {
                    batch.changes.add(Change.decode(origin, keyspace));
                } catch (Change.Foreign e) {
                    batch.unreadable.add(new Rejected(origin, e.event(), e.getMessage(), e));
                } catch (RuntimeException e) {
                    batch.unreadable.add(new Rejected(origin, null, "cannot read the record: " + e.getMessage(), e));
                }
            }
            try {
                batch.prepared = applier.prepare(batch.changes);
            } catch (TargetUnavailableException e) {
                batch.prepared = null; // prepared again when the batch is written
            }
            return batch;
        };
    }

    /** The path and stage times of a fence marker copy; null for any other record. */
    private static FenceCopy fenceCopy(ConsumerRecord<byte[], byte[]> record, long readMs) {
        org.apache.kafka.common.header.Header path = record.headers().lastHeader(FENCE_PATH_HEADER);
        if (path == null) {
            return null;
        }
        org.apache.kafka.common.header.Header hops = record.headers().lastHeader(FENCE_HOPS_HEADER);
        return new FenceCopy(new String(path.value(), StandardCharsets.UTF_8), record.timestamp(),
                hops == null ? null : new String(hops.value(), StandardCharsets.UTF_8), readMs);
    }

    /**
     * Writes a batch, sends its rejected changes to the dead-letter topic and commits its offsets; retries with
     * backoff while the target or Kafka cannot be reached. Changes of partitions taken away meanwhile are dropped.
     */
    private void applyUntilDone(Batch batch) {
        int attempt = 0;
        while (!stopping) {
            dropMovedPartitions(batch);
            if (batch.next.isEmpty()) {
                log.info("writer {}: every partition of a batch went to another writer before it was applied", shard);
                break;
            }
            try {
                long started = System.nanoTime();
                if (batch.prepared == null) {
                    batch.prepared = applier.prepare(batch.changes);
                }
                holdBack(batch);
                BatchApplier.Outcome outcome = applier.write(batch.prepared);
                meters.batchApplied(batch.changes.size() + batch.unreadable.size(), outcome, Duration.ofNanos(System.nanoTime() - started));
                List<Rejected> rejected = new ArrayList<>(batch.unreadable);
                rejected.addAll(outcome.rejected());
                sendToDeadLetters(rejected);
                commit(batch.next);
                hold(batch.prepared.holds);
                if (attempt > 0) {
                    log.info("writer {}: target reachable again; the batch applied after {} retries", shard, attempt);
                    state = State.RUNNING;
                }
                break;
            } catch (TargetUnavailableException | KafkaException e) {
                if (e instanceof WakeupException wakeup) {
                    throw wakeup;
                }
                attempt++;
                lastError = e.getMessage();
                state = State.RETRYING;
                meters.retried();
                Duration wait = backoff.delay(attempt);
                log.warn("writer {}: attempt {} to apply a batch of {} changes failed ({}); retrying in {} ms", shard,
                        attempt, batch.changes.size(), e.getMessage(), wait.toMillis());
                if (!(e instanceof TargetUnavailableException)) {
                    deadLetters.close();
                    deadLetters = deadLetterFactory.get();
                }
                waitInGroup(wait);
            }
        }
        resumeAllButHeld();
    }

    private void resumeAllButHeld() {
        Set<TopicPartition> paused = new HashSet<>(consumer.paused());
        paused.removeAll(heldUntil.keySet());
        consumer.resume(paused);
    }

    /**
     * A partition held at a schema event is committed up to the event and no further, and the changes after it in
     * this batch — already left out of the prepared batch — are not dead-lettered either.
     */
    private static void holdBack(Batch batch) {
        for (PreparedBatch.Hold hold : batch.prepared.holds) {
            TopicPartition partition = new TopicPartition(hold.topic(), hold.partition());
            if (batch.next.containsKey(partition)) {
                batch.next.put(partition, new OffsetAndMetadata(hold.offset()));
                batch.unreadable.removeIf(r -> partitionOf(r.origin()).equals(partition)
                        && r.origin().offset() >= hold.offset());
            }
        }
    }

    /**
     * Holds partitions at their schema events: each is sought back to its event and paused, the records of it read
     * ahead are dropped (its generation moves on), and the event is read again every {@link #HOLD_RECHECK}.
     */
    private void hold(List<PreparedBatch.Hold> holds) {
        for (PreparedBatch.Hold hold : holds) {
            TopicPartition partition = new TopicPartition(hold.topic(), hold.partition());
            if (!consumer.assignment().contains(partition)) {
                continue;
            }
            generation.merge(partition, 1, Integer::sum);
            consumer.seek(partition, hold.offset());
            consumer.pause(List.of(partition));
            heldUntil.put(partition, System.nanoTime() + HOLD_RECHECK.toNanos());
            if (holdReasons.put(partition, hold.reason()) == null) {
                log.info("writer {}: partition {} held at offset {}: {}", shard, partition, hold.offset(),
                        hold.reason());
            }
        }
    }

    /** Lets held partitions whose time has come be read again; one still held is held again when its event is. */
    private void lookAgainAtHolds() {
        long now = System.nanoTime();
        List<TopicPartition> due = new ArrayList<>();
        heldUntil.forEach((partition, until) -> {
            if (now - until >= 0) {
                due.add(partition);
            }
        });
        for (TopicPartition partition : due) {
            heldUntil.remove(partition);
            if (consumer.assignment().contains(partition)) {
                consumer.resume(List.of(partition));
            }
        }
        // a partition that passes its event is no longer held: its reason goes once a batch passed it
        holdReasons.keySet().removeIf(partition -> !heldUntil.containsKey(partition) && !due.contains(partition));
    }

    private void release(Collection<TopicPartition> partitions) {
        heldUntil.keySet().removeAll(partitions);
        holdReasons.keySet().removeAll(partitions);
    }

    private void dropMovedPartitions(Batch batch) {
        Set<TopicPartition> moved = new HashSet<>();
        batch.generations.forEach((partition, at) -> {
            if (!generation.getOrDefault(partition, 0).equals(at)) {
                moved.add(partition);
            }
        });
        if (!moved.isEmpty()) {
            batch.changes.removeIf(c -> moved.contains(partitionOf(c.origin())));
            batch.unreadable.removeIf(r -> moved.contains(partitionOf(r.origin())));
            batch.next.keySet().removeAll(moved);
            batch.generations.keySet().removeAll(moved);
            batch.prepared = null;
        }
    }

    private void sendToDeadLetters(List<Rejected> rejected) {
        if (rejected.isEmpty()) {
            return;
        }
        rejected.sort(java.util.Comparator.comparing((Rejected r) -> r.origin().topic())
                .thenComparingInt(r -> r.origin().partition()).thenComparingLong(r -> r.origin().offset()));
        for (Rejected r : rejected) {
            log.warn("writer {}: {} to the dead-letter topic: {}", shard, r.origin(), r.reason());
            deadLetters.send(r);
        }
        deadLetters.flush();
        meters.deadLettered(rejected.size());
    }

    /**
     * Commits a written batch's offsets without waiting: the database already holds the batch, so an offset commit
     * that is lost only makes a restarted writer apply the batch again, which changes nothing. Commits complete in
     * order; the last ones are made synchronous when partitions are taken away and when the writer stops.
     */
    private void commit(Map<TopicPartition, OffsetAndMetadata> next) {
        Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(next);
        owned.keySet().retainAll(consumer.assignment());
        consumer.commitAsync(owned, (offsets, error) -> {
            if (error != null) {
                log.info("writer {}: an offset commit did not complete ({}); those changes are applied again after a "
                        + "restart or a move of their partitions, which the version guard makes harmless", shard,
                        error.getMessage());
            }
        });
    }

    private void commitQuietly() {
        try {
            commitPending();
        } catch (KafkaException e) {
            log.info("writer {}: stopping without committing the last offsets ({}); their changes are applied again",
                    shard, e.getMessage());
        }
    }

    private void commitPending() {
        try {
            consumer.commitSync(Map.of());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            log.info("writer {}: the last offsets were not committed ({}); their changes are applied again, harmlessly",
                    shard, e.getMessage());
        }
    }

    /**
     * Waits with every partition paused, polling so that the group does not count this writer as dead. A record
     * returned anyway (a partition assigned during the wait) is not lost: its partition is sought back to it.
     */
    private void waitInGroup(Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        while (!stopping && System.nanoTime() < until) {
            consumer.pause(consumer.assignment());
            ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(Duration.ofMillis(Math.max(1,
                    Math.min(100, (until - System.nanoTime()) / 1_000_000))));
            for (TopicPartition partition : unexpected.partitions()) {
                long offset = unexpected.records(partition).get(0).offset();
                consumer.seek(partition, offset);
                consumer.pause(List.of(partition));
            }
        }
    }

    private static TopicPartition partitionOf(Origin origin) {
        return new TopicPartition(origin.topic(), origin.partition());
    }

    private void logProgress() {
        long now = System.nanoTime();
        Duration elapsed = Duration.ofNanos(now - lastLog);
        if (elapsed.toMillis() >= logIntervalMs) {
            lastLog = now;
            String rates = meters.ratesSince(elapsed);
            if (!rates.isEmpty()) {
                log.info("writer {}: {}; {} rows written in all, {} to the dead-letter topic, {} retries", shard, rates,
                        meters.rowsWritten(), meters.deadLettered(), meters.retries());
            }
        }
    }
}
