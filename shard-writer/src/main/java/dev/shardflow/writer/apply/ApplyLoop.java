package dev.shardflow.writer.apply;

import dev.shardflow.core.retry.Backoff;
import dev.shardflow.writer.kafka.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Set<TopicPartition> revoked = new HashSet<>();
    private DeadLetters deadLetters;
    private volatile State state = State.STARTING;
    private volatile boolean stopping;
    private long lastLog = System.nanoTime();

    public ApplyLoop(String shard, KafkaConsumer<byte[], byte[]> consumer, List<String> topics, BatchApplier applier,
            Supplier<DeadLetters> deadLetterFactory, Backoff backoff, WriterMeters meters, long logIntervalMs) {
        this.shard = shard;
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

    @Override
    public void run() {
        deadLetters = deadLetterFactory.get();
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    revoked.addAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    revoked.removeAll(partitions);
                    if (!partitions.isEmpty()) {
                        log.info("writer {}: applying partitions {}", shard, partitions);
                    }
                }
            });
            state = State.RUNNING;
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    revoked.clear();
                    process(records);
                }
                logProgress();
            }
            state = State.STOPPED;
        } catch (WakeupException e) {
            state = State.STOPPED;
        } catch (RuntimeException e) {
            state = State.FAILED;
            log.error("writer {}: stopped by an unexpected error; nothing after the last committed batch is lost, "
                    + "restart the writer once the cause is fixed", shard, e);
        } finally {
            consumer.close();
            deadLetters.close();
        }
    }

    /** Asks the loop to stop after its current attempt; records not committed are applied again by the next writer. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        List<Change> changes = new ArrayList<>(records.count());
        List<Rejected> unreadable = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Origin origin = new Origin(record.topic(), record.partition(), record.offset(), record.key(), record.value());
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            next.put(partition, new OffsetAndMetadata(record.offset() + 1));
            try {
                changes.add(Change.decode(origin));
            } catch (RuntimeException e) {
                unreadable.add(new Rejected(origin, null, "cannot read the record: " + e.getMessage(), e));
            }
        }
        int attempt = 0;
        while (!stopping) {
            try {
                long started = System.nanoTime();
                BatchApplier.Outcome outcome = applier.apply(changes);
                meters.batchApplied(outcome, Duration.ofNanos(System.nanoTime() - started));
                List<Rejected> rejected = new ArrayList<>(unreadable);
                rejected.addAll(outcome.rejected());
                sendToDeadLetters(rejected);
                commit(next);
                if (attempt > 0) {
                    log.info("writer {}: target reachable again; the batch applied after {} retries", shard, attempt);
                    state = State.RUNNING;
                }
                consumer.resume(consumer.paused());
                return;
            } catch (TargetUnavailableException | KafkaException e) {
                attempt++;
                state = State.RETRYING;
                meters.retried();
                Duration wait = backoff.delay(attempt);
                log.warn("writer {}: attempt {} to apply a batch of {} changes failed ({}); retrying in {} ms", shard,
                        attempt, changes.size(), e.getMessage(), wait.toMillis());
                if (!(e instanceof TargetUnavailableException)) {
                    deadLetters.close();
                    deadLetters = deadLetterFactory.get();
                }
                waitInGroup(wait);
                changes.removeIf(c -> revoked.contains(partitionOf(c.origin())));
                unreadable.removeIf(r -> revoked.contains(partitionOf(r.origin())));
                next.keySet().removeAll(revoked);
                if (next.isEmpty()) {
                    log.info("writer {}: every partition of the batch went to another writer while waiting", shard);
                    consumer.resume(consumer.paused());
                    return;
                }
            }
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

    private void commit(Map<TopicPartition, OffsetAndMetadata> next) {
        Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(next);
        owned.keySet().retainAll(consumer.assignment());
        try {
            consumer.commitSync(owned);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            log.info("writer {}: partitions moved to another writer before the commit ({}); it applies these changes "
                    + "again, which the version guard makes harmless", shard, e.getMessage());
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
            if (!rates.equals("{}")) {
                log.info("writer {}: rows/s {}; {} rows written, {} to the dead-letter topic, {} retries", shard, rates,
                        meters.rowsWritten(), meters.deadLettered(), meters.retries());
            }
        }
    }
}
