package dev.shardflow.rebalancer;

import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.MoveControls;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.CopyStarts;
import dev.shardflow.kafka.MessageSizes;
import dev.shardflow.rebalancer.kafka.RebalancerTopics;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.rebalancer.streams.CopyThrottle;
import dev.shardflow.rebalancer.streams.RekeyTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The move of one rebalance: a Kafka Streams application of its own ({@code <applicationId>-<rebalanceId>}) that
 * reads the change topics from their beginning — the compacted topics hold every row, so the copy never re-reads a
 * source database — forwards the changes of moving keys, and keeps forwarding live changes until the rebalance ends.
 * Its progress is its committed position against the end offsets recorded when it first started ({@link CopyStarts}).
 */
public final class MoveApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MoveApp.class);

    private final RebalancerOptions options;
    private final String rebalanceId;
    private final RouteCounts counts;
    private final String applicationId;
    private Map<TopicPartition, Long> copyEnd = Map.of();
    private KafkaStreams streams;
    private KafkaStreamsMetrics metrics;
    private final MeterRegistry registry;
    private final CopyThrottle throttle = CopyThrottle.unlimited();
    private volatile boolean paused;

    MoveApp(RebalancerOptions options, String rebalanceId, RouteCounts counts, MeterRegistry registry) {
        this.registry = registry;
        this.options = options;
        this.rebalanceId = rebalanceId;
        this.counts = counts;
        this.applicationId = ConsumerGroups.move(options.applicationId(), rebalanceId);
    }

    String rebalanceId() {
        return rebalanceId;
    }

    MoveApp start(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        CopyStarts starts = new CopyStarts(options.kafka(), TopicNames.of(options.topology()));
        Optional<Map<TopicPartition, Long>> recorded = starts.recorded(rebalanceId);
        if (recorded.isPresent()) {
            copyEnd = recorded.get();
        } else {
            copyEnd = endOffsets(admin);
            starts.record(rebalanceId, copyEnd);
        }
        streams = new KafkaStreams(RekeyTopology.build(options.topology(), counts,
                Duration.ofMillis(options.commitIntervalMs()), throttle), properties());
        streams.setUncaughtExceptionHandler(error -> {
            log.error("move {}: a stream thread failed; it is replaced and resumes from the last commit", rebalanceId,
                    error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> log.info("move {}: {} -> {}", rebalanceId, before, now));
        streams.start();
        metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        log.info("move {}: copying from the beginning of {} ({} change records when it {}started), {}", rebalanceId,
                RebalancerTopics.changeTopics(options.topology()), copyEnd.values().stream().mapToLong(v -> v).sum(),
                recorded.isPresent() ? "first " : "", options.processingGuarantee());
        return this;
    }

    /**
     * Applies the operator's controls and the lag throttle's hold: the Streams application is paused while either
     * asks (its tasks keep their place and their group), resumed when neither does; the rate takes effect at once.
     *
     * @param held why the lag throttle holds the move, or null
     */
    synchronized void control(MoveControls controls, String held) {
        if (throttle.rate() != controls.maxRowsPerSecond()) {
            throttle.setRate(controls.maxRowsPerSecond());
            log.info("move {}: {}", rebalanceId, controls.maxRowsPerSecond() == 0 ? "no rate limit"
                    : "at most " + controls.maxRowsPerSecond() + " change records per second");
        }
        boolean pause = controls.paused() || held != null;
        if (pause == paused || streams == null) {
            return;
        }
        if (pause) {
            streams.pause();
            log.info("move {}: paused{}", rebalanceId, controls.paused() ? " by the operator" : ": " + held);
        } else {
            streams.resume();
            log.info("move {}: resumed; copy and catch-up go on where they stopped", rebalanceId);
        }
        paused = pause;
    }

    boolean paused() {
        return paused;
    }

    long maxRowsPerSecond() {
        return throttle.rate();
    }

    long recordsTaken() {
        return throttle.taken();
    }

    CopyProgress progress(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        return CopyStarts.progress(CopyStarts.startOf(copyEnd), admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
    }

    KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.CREATED : streams.state();
    }

    private Map<TopicPartition, Long> endOffsets(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        var partitions = admin.describeTopics(RebalancerTopics.changeTopics(options.topology())).allTopicNames()
                .get(30, TimeUnit.SECONDS).values().stream().flatMap(d -> d.partitions().stream()
                        .map(p -> new TopicPartition(d.name(), p.partition())))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** A move commits at the bulk interval; what is live or a fence commits sooner ({@code RekeyTopology}). */
    private Properties properties() {
        Properties p = streamsProperties(options, applicationId);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(options.commitIntervalMs(),
                options.bulkCommitIntervalMs()));
        return p;
    }

    /** The Streams settings of every application of a rebalancer: the moves and the views. */
    /** How long a produced batch may be retried before its task restarts from its last commit. */
    static final int DELIVERY_TIMEOUT_MS = 60_000;

    static Properties streamsProperties(RebalancerOptions options, String applicationId) {
        // the connection's settings reach each of Streams' inner clients: producers, consumers, admin client
        Properties p = options.kafka().client(Map.of());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, options.processingGuarantee());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitIntervalMs());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, options.replicationFactor());
        p.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDir().equals("default")
                ? Path.of(System.getProperty("java.io.tmpdir"), "shardflow-rebalancer").toString() : options.stateDir());
        // rows of different tables need no order between them: a task never waits on one input for another's data
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // a fetch that finds only an open transaction would wait 500 ms; a fence marker crosses two such hops
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        // a move that stops is seen gone within seconds, even if its leave request is lost
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        // the copy reads the change topics from their beginning
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // Streams lets an exactly-once producer retry a batch forever. After a broker dies, a partition's new leader
        // can answer every retry with OUT_OF_ORDER_SEQUENCE (seen with Kafka 4.1 and transactions v2) and the move
        // stalls without an error. Bounded, the batch fails, the task is marked corrupted, its transaction aborted
        // and it resumes from its last commit under a new epoch: nothing is lost and nothing is written twice.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG), DELIVERY_TIMEOUT_MS);
        // One request in flight per broker. With transactions v2 (Kafka 4.1) on several brokers, a partition's leader
        // refused batches that arrived ahead of the transaction's first one (OUT_OF_ORDER_SEQUENCE, "no existing
        // state"), hundreds of times a run, until the move stalled; with one in flight they cannot arrive ahead.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        // the keyspace's largest change, forwarded whole; its repartition and changelog topics hold it too
        int maxMessageBytes = options.topology().maxMessageBytes();
        MessageSizes.producerConfig(maxMessageBytes).forEach((name, value) -> p.put(StreamsConfig.producerPrefix(name),
                value));
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), maxMessageBytes);
        return p;
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (streams != null) {
            // leave the group at once, so that whoever waits for the move to be over sees no member left
            streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
            log.info("move {}: stopped", rebalanceId);
        }
    }
}
