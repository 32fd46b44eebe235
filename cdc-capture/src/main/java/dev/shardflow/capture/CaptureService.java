package dev.shardflow.capture;

import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.capture.kafka.CaptureTopics;
import dev.shardflow.capture.preflight.SourcePreflight;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.kafka.ClusterCheck;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.Health;
import dev.shardflow.process.Probes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture of a set of source shards, as a library: creates the topics it needs, checks every source before
 * starting any engine (so nothing starts half-configured), runs one {@link ShardCapture} per shard, and reports each
 * shard's state, rate, lag, position and held-back source log at a fixed interval ({@link CaptureReports}).
 */
public final class CaptureService implements AutoCloseable, Health {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);

    private final CaptureOptions options;
    private final MeterRegistry registry;
    private final Map<String, ShardCapture> captures = new LinkedHashMap<>();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "capture-report");
        thread.setDaemon(true);
        return thread;
    });
    private CaptureReports reports;
    private final Probes probes = new Probes(PROBE_INTERVAL, PROBE_TIMEOUT);
    private ClusterCheck kafka;

    public CaptureService(CaptureOptions options, MeterRegistry registry) {
        this.options = options;
        this.registry = registry;
    }

    public CaptureService(CaptureOptions options) {
        this(options, new SimpleMeterRegistry());
    }

    /**
     * Checks every source, then starts every shard's capture. When any source fails its checks nothing starts, and
     * the error lists every problem of every shard. A source that cannot be reached at all is an outage, not a
     * setting: the other shards start, and that shard's capture waits {@code RETRYING}, checks it once it answers and
     * then starts ({@link ShardCapture#awaitSource}) — so a capture process started again during one shard's outage
     * still captures every other shard.
     */
    public CaptureService start() {
        options.kafka().verify(KafkaConnection.START_TIMEOUT); // a wrong address or credential stops it here
        List<ShardSpec> shards = options.shards().stream()
                .map(id -> options.topology().shard(id).orElseThrow()).toList();
        List<String> problems = new ArrayList<>();
        Map<String, String> unreachable = new LinkedHashMap<>();
        for (ShardSpec shard : shards) {
            String password;
            try {
                password = shard.password().resolve();
            } catch (IllegalStateException e) {
                problems.add("shard " + shard.id() + ": " + e.getMessage());
                continue;
            }
            java.util.Optional<String> outage = SourcePreflight.unreachable(shard, password);
            if (outage.isPresent()) {
                unreachable.put(shard.id(), outage.get());
            } else {
                problems.addAll(SourcePreflight.check(options.topology(), shard));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("capture not started, sources not ready:\n  " + String.join("\n  ", problems));
        }
        CaptureTopics.ensure(options);
        kafka = ClusterCheck.of(options.kafka(), PROBE_TIMEOUT);
        reports = new CaptureReports(options, registry);
        probes.add("kafka", kafka::check);
        for (ShardSpec shard : shards) {
            probes.add("source " + shard.id(), () -> checkSource(shard));
        }
        for (ShardSpec shard : shards) {
            ShardCapture capture = new ShardCapture(options, shard, registry);
            if (unreachable.containsKey(shard.id())) {
                capture.awaitSource(unreachable.get(shard.id()));
            } else {
                capture.start();
            }
            captures.put(capture.shardId(), capture);
        }
        probes.start();
        long interval = options.logIntervalMs();
        reporter.scheduleAtFixedRate(() -> reports.report(captures), interval, interval, TimeUnit.MILLISECONDS);
        return this;
    }

    public ShardCapture shard(String id) {
        return captures.get(id);
    }

    public Map<String, ShardCapture> shards() {
        return Map.copyOf(captures);
    }

    /** The source answers; and, while connected, how much log it keeps for this capture. */
    private void checkSource(ShardSpec shard) throws SQLException {
        try (Connection connection = SourceConnection.open(shard, shard.password().resolve())) {
            if (!connection.isValid((int) PROBE_TIMEOUT.toSeconds())) {
                throw new IllegalStateException("the connection to " + shard.jdbcUrl() + " is not valid");
            }
            ShardCapture capture = captures.get(shard.id());
            SourceLog.HeldBack held;
            try {
                held = SourceLog.measure(connection, shard.engine(), EngineProperties.slotName(options.topology(),
                        shard), capture == null ? null : capture.binlogFile());
            } catch (SQLException e) {
                held = SourceLog.HeldBack.unknown("cannot be measured: " + e.getMessage());
            }
            reports.measured(shard.id(), held);
        }
    }

    /** Each shard's capture, then Kafka and each source as their last check found them. */
    @Override
    public List<Loop> loops() {
        List<Loop> loops = new ArrayList<>();
        captures.forEach((id, capture) -> {
            ShardCapture.State state = capture.state();
            loops.add(new Loop("capture " + id, state == ShardCapture.State.RUNNING, state.name(),
                    state == ShardCapture.State.RUNNING ? "" : capture.failure()));
        });
        loops.addAll(probes.loops());
        return loops;
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        probes.close();
        // every shard stops at once, each within the shutdown timeout
        captures.values().parallelStream().forEach(ShardCapture::close);
        if (reports != null) {
            reports.report(captures); // STOPPED, rather than a report that goes stale
            reports.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
