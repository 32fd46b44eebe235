package dev.shardflow.rebalancer;

import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.MoveControls;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.kafka.ClusterCheck;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.Health;
import dev.shardflow.process.Probes;
import dev.shardflow.process.ProcessMain;
import dev.shardflow.rebalancer.kafka.RebalancerTopics;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.rebalancer.streams.PoisonWatch;
import dev.shardflow.rebalancer.streams.ViewTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rebalancer as a library: {@link #start} prepares the topics, then follows the keyspace's topology topic and
 * runs the move of the rebalance in progress ({@link MoveApp}), starting it when a rebalance appears and stopping it
 * when the keyspace is steady again; and keeps the keyspace's views up to date all along. Several instances with
 * the same settings share a move's partitions.
 *
 * <p>One role in one file, longer than most: following the topology topic, starting and stopping the move it names,
 * and answering for the process's loops (move, views, poison watch) are one life cycle; what holds or slows the move
 * is {@link MoveControl}'s.
 */
public final class RebalancerService implements AutoCloseable, ProcessMain.Supervised, Health {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(RebalancerService.class);
    private static final long PROGRESS_LOG_MS = 10_000;

    private final RebalancerOptions options;
    private final RouteCounts counts;
    private final MeterRegistry registry;
    private final Probes probes = new Probes(PROBE_INTERVAL, PROBE_TIMEOUT);
    private ClusterCheck kafka;
    private StandingApp poisonWatch;
    private final Thread watcher;
    private volatile boolean stopping;
    private volatile MoveApp move;
    private volatile Throwable failure;
    private volatile Consumer<Throwable> onFailure = cause -> { };
    private StandingApp views;
    private KafkaConsumer<byte[], byte[]> states;
    private final MoveControl control;
    private Admin admin;

    public RebalancerService(RebalancerOptions options) {
        this(options, new SimpleMeterRegistry());
    }

    public RebalancerService(RebalancerOptions options, MeterRegistry registry) {
        this.options = options;
        this.counts = new RouteCounts(registry);
        this.registry = registry;
        this.watcher = new Thread(this::watch, "rebalancer-watch-" + options.topology().keyspace());
        this.control = new MoveControl(options, () -> move, registry);
    }

    public RebalancerService start() {
        options.kafka().verify(KafkaConnection.START_TIMEOUT); // a wrong address or credential stops it here
        RebalancerTopics.ensure(options.kafka(), options.topology(), options.topology().shards(),
                options.applyPartitions(), options.replicationFactor());
        admin = options.kafka().admin(Map.of());
        Properties p = options.kafka().client(Map.of());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        states = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = List.of(new TopicPartition(TopicNames.of(options.topology()).topology(), 0));
        states.assign(partitions);
        states.seekToBeginning(partitions);
        control.start(admin);
        watcher.start();
        kafka = ClusterCheck.of(options.kafka(), PROBE_TIMEOUT);
        probes.add("kafka", kafka::check).start();
        String keyspace = options.topology().keyspace();
        if (!options.topology().views().isEmpty()) {
            views = StandingApp.start("views of " + keyspace, ViewTopology.build(options.topology(), counts),
                    standingProperties(ConsumerGroups.views(options.applicationId()), options.threads()), registry);
            log.info("views of {}: keeping {} up to date", keyspace,
                    options.topology().views().stream().map(v -> v.name()).toList());
        }
        poisonWatch = StandingApp.start("poison watch of " + keyspace, PoisonWatch.build(options.topology(), counts),
                standingProperties(ConsumerGroups.poisonWatch(options.applicationId()), 1), registry);
        log.info("rebalancer of {}: following {}", options.topology().keyspace(),
                TopicNames.of(options.topology()).topology());
        return this;
    }

    private void watch() {
        String keyspace = options.topology().keyspace();
        long lastProgress = System.nanoTime();
        try {
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> record : states.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && keyspace.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        follow(record.value());
                    }
                }
                control.tick();
                if (move != null && System.nanoTime() - lastProgress > PROGRESS_LOG_MS * 1_000_000) {
                    lastProgress = System.nanoTime();
                    logProgress();
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            log.error("rebalancer of {}: cannot follow the topology topic; restart the rebalancer", keyspace, e);
            fail(e);
        }
    }

    private void follow(byte[] value) {
        String wanted = null;
        MoveControls wantedControls = MoveControls.NONE;
        if (value != null) {
            try {
                TopologyState state = TopologyState.fromBytes(value);
                wanted = state.phase() == TopologyState.Phase.STEADY ? null : state.rebalanceId();
                wantedControls = state.controls();
            } catch (IllegalArgumentException e) {
                log.error("rebalancer of {}: a topology state cannot be read ({}); the move in progress goes on",
                        options.topology().keyspace(), e.getMessage());
                return;
            }
        }
        String running = move == null ? null : move.rebalanceId();
        if (java.util.Objects.equals(wanted, running)) {
            control.follow(wantedControls, false);
            return;
        }
        if (move != null) {
            log.info("rebalancer of {}: rebalance {} is over; stopping its move", options.topology().keyspace(),
                    running);
            move.close();
            move = null;
        }
        if (wanted != null) {
            try {
                move = new MoveApp(options, wanted, counts, registry).start(admin);
                control.follow(wantedControls, true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the move of rebalance " + wanted + ": " + e.getMessage(), e);
            }
        }
    }

    /** Why the lag throttle holds the running move now, if it does. */
    public Optional<String> held() {
        return control.held();
    }

    /** How many change records the running move has taken in this process; 0 without one. */
    public long moveRecordsTaken() {
        MoveApp current = move;
        return current == null ? 0 : current.recordsTaken();
    }

    /** Whether the running move is paused now (by the operator or the lag throttle). */
    public boolean paused() {
        return control.paused();
    }

    private void logProgress() {
        MoveApp current = move;
        try {
            CopyProgress progress = current.progress(admin);
            log.info("move {}: {}% of the copy ({} of {} change records); {} forwarded, {} non-owner changes ignored",
                    current.rebalanceId(), Math.round(progress.fraction() * 100), progress.done(), progress.total(),
                    counts.get("forwarded"), counts.get("non_owner"));
        } catch (Exception e) {
            log.warn("move {}: progress unknown ({})", current.rebalanceId(), e.getMessage());
        }
    }

    /** The settings of an application that runs all along: a move's, with the views' commit interval. */
    private Properties standingProperties(String applicationId, int threads) {
        Properties properties = MoveApp.streamsProperties(options, applicationId);
        properties.put(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        properties.put(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                options.viewsCommitIntervalMs());
        return properties;
    }

    /** The state of the poison watch's Streams application. */
    public KafkaStreams.State poisonWatchState() {
        return poisonWatch == null ? KafkaStreams.State.NOT_RUNNING : poisonWatch.state();
    }

    /**
     * Why the rebalancer stopped following the topology topic for good, if it did: it then starts and stops no
     * move, and must be restarted.
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Tells {@code listener} when the rebalancer stops following the topology topic for good. */
    @Override
    public synchronized void onFailure(Consumer<Throwable> listener) {
        onFailure = listener;
        Throwable already = failure;
        if (already != null) {
            listener.accept(already);
        }
    }

    private synchronized void fail(RuntimeException cause) {
        failure = cause;
        onFailure.accept(cause);
    }

    public Optional<String> moving() {
        MoveApp current = move;
        return current == null ? Optional.empty() : Optional.of(current.rebalanceId());
    }

    /** How far the copy of the running move is, if one runs. */
    public Optional<CopyProgress> copyProgress() {
        MoveApp current = move;
        if (current == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(current.progress(admin));
        } catch (Exception e) {
            throw new IllegalStateException("move " + current.rebalanceId() + ": progress unknown: " + e.getMessage(), e);
        }
    }

    /** The state of the move's Streams application; {@code NOT_RUNNING} when no rebalance runs. */
    public KafkaStreams.State state() {
        MoveApp current = move;
        return current == null ? KafkaStreams.State.NOT_RUNNING : current.state();
    }

    /** The state of the views' Streams application; {@code NOT_RUNNING} when the keyspace declares no view. */
    public KafkaStreams.State viewsState() {
        return views == null ? KafkaStreams.State.NOT_RUNNING : views.state();
    }

    /**
     * The topology follower, the running move and the views (each while there is one), then Kafka as its last check
     * found it. A Streams application in ERROR has no thread left and counts as FAILED.
     */
    @Override
    public List<Loop> loops() {
        List<Loop> loops = new ArrayList<>();
        Throwable failed = failure;
        loops.add(failed == null ? new Loop("topology follower", true, "RUNNING", "")
                : new Loop("topology follower", false, "FAILED", failed.getMessage()));
        MoveApp current = move;
        if (current != null) {
            loops.add(StandingApp.loop("move " + current.rebalanceId(), current.state()));
        }
        if (views != null) {
            loops.add(StandingApp.loop("views", views.state()));
        }
        if (poisonWatch != null) {
            loops.add(StandingApp.loop("poison watch", poisonWatch.state()));
        }
        loops.addAll(probes.loops());
        return loops;
    }

    public RouteCounts counts() {
        return counts;
    }

    @Override
    public void close() {
        stopping = true;
        probes.close();
        if (states != null) {
            states.wakeup();
            try {
                watcher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            states.close();
        }
        MoveApp current = move;
        if (current != null) {
            current.close();
        }
        if (poisonWatch != null) {
            poisonWatch.close();
        }
        if (views != null) {
            views.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (admin != null) {
            admin.close();
        }
    }
}
