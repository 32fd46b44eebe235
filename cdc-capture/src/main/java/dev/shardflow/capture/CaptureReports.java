package dev.shardflow.capture;

import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.topology.TopicNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each shard's report at every interval: one log line (a warning when the shard does not run, or when its source
 * keeps more log for it than {@code sourceLog.warnBytes}), and a {@link CaptureReport} on
 * {@code <prefix>.capture.status} for {@code shardctl capture status}, the API and the dashboard. The held-back source
 * log is also the gauge {@code shardflow.capture.source.log.held.back} (bytes).
 */
final class CaptureReports implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaptureReports.class);

    private final CaptureOptions options;
    private final MeterRegistry registry;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, SourceLog.HeldBack> heldBack = new ConcurrentHashMap<>();
    private final Map<String, Long> countsAtLastReport = new HashMap<>();
    private long lastReportNanos = System.nanoTime();

    CaptureReports(CaptureOptions options, MeterRegistry registry) {
        this.options = options;
        this.registry = registry;
        this.topic = TopicNames.of(options.topology()).captureStatus();
        Properties p = options.kafka().client(Map.of());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "shardflow-capture-status");
        // a report that cannot be sent is dropped: the next one says the same, newer
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /** Records what the last check of a shard's source found it holding back. */
    void measured(String shard, SourceLog.HeldBack measured) {
        if (heldBack.put(shard, measured) == null) {
            Gauge.builder("shardflow.capture.source.log.held.back", heldBack,
                    all -> all.getOrDefault(shard, SourceLog.HeldBack.unknown("")).bytes()).tag("shard", shard)
                    .baseUnit("bytes").description("source log (WAL, binlog) kept for the shard's capture; -1 unknown")
                    .register(registry);
        }
    }

    /** Logs and publishes every shard's report. */
    synchronized void report(Map<String, ShardCapture> captures) {
        long now = System.nanoTime();
        double seconds = Math.max(0.001, (now - lastReportNanos) / 1e9);
        lastReportNanos = now;
        captures.forEach((id, capture) -> {
            long count = capture.eventCount();
            long previous = countsAtLastReport.getOrDefault(id, 0L);
            countsAtLastReport.put(id, count);
            CaptureReport report = reportOf(id, capture, (count - previous) / seconds, count != previous);
            logReport(report, capture);
            send(report);
        });
    }

    CaptureReport reportOf(String id, ShardCapture capture, double eventsPerSecond, boolean captured) {
        ShardCapture.State state = capture.state();
        SourceLog.HeldBack held = heldBack.getOrDefault(id, SourceLog.HeldBack.unknown("not measured yet"));
        return new CaptureReport(id, options.topology().shard(id).orElseThrow().engine().configName(), state.name(),
                eventsPerSecond, captured ? Math.round(capture.lagMs()) : null, capture.failure(), capture.restarts(),
                held.bytes(), held.what(), options.sourceLogWarnBytes(), System.currentTimeMillis(),
                options.logIntervalMs());
    }

    private void logReport(CaptureReport report, ShardCapture capture) {
        String line = String.format("capture %s: %s %.0f events/s, lag %s, position %s, source log held back %s",
                report.shard(), report.state(), report.eventsPerSecond(), report.lagMs() == null ? "idle"
                        : report.lagMs() + " ms", capture.lastPosition(), report.heldBackText());
        boolean running = report.state().equals("RUNNING") || report.state().equals("STOPPED");
        if (!running) {
            log.warn("{}; {} restarts so far; last error: {}", line, report.restarts(), report.lastError());
        } else if (report.heldBackWarning()) {
            log.warn("{}; above sourceLog.warnBytes ({}): the source cannot free it until capture catches up", line,
                    CaptureReport.bytes(report.heldBackWarnBytes()));
        } else {
            log.info(line);
        }
    }

    private void send(CaptureReport report) {
        try {
            producer.send(new ProducerRecord<>(topic, report.shard().getBytes(StandardCharsets.UTF_8),
                    report.toBytes()), (metadata, error) -> {
                        if (error != null) {
                            log.debug("capture {}: report not published: {}", report.shard(), error.getMessage());
                        }
                    });
        } catch (RuntimeException e) {
            log.debug("capture {}: report not published: {}", report.shard(), e.getMessage());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
