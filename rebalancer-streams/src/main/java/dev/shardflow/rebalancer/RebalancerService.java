package dev.shardflow.rebalancer;

import dev.shardflow.rebalancer.kafka.RebalancerTopics;
import dev.shardflow.rebalancer.route.RouteCounts;
import dev.shardflow.rebalancer.streams.RekeyTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rebalancer as a library: {@link #start} prepares the topics and starts the Kafka Streams application of
 * {@link RekeyTopology}; instances with the same application id share the change topics' partitions.
 */
public final class RebalancerService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RebalancerService.class);

    private final RebalancerOptions options;
    private final RouteCounts counts;
    private KafkaStreams streams;

    public RebalancerService(RebalancerOptions options) {
        this(options, new SimpleMeterRegistry());
    }

    public RebalancerService(RebalancerOptions options, MeterRegistry registry) {
        this.options = options;
        this.counts = new RouteCounts(registry);
    }

    public RebalancerService start() {
        RebalancerTopics.ensure(options.bootstrapServers(), options.topology(), options.topology().shards(),
                options.applyPartitions(), options.replicationFactor());
        streams = new KafkaStreams(RekeyTopology.build(options.topology(), counts), properties());
        streams.setUncaughtExceptionHandler(error -> {
            log.error("rebalancer {}: a stream thread failed; it is replaced and resumes from the last commit",
                    options.applicationId(), error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> log.info("rebalancer {}: {} -> {}", options.applicationId(), before,
                now));
        streams.start();
        log.info("rebalancer {}: routing {} with {}", options.applicationId(),
                RebalancerTopics.changeTopics(options.topology()), options.processingGuarantee());
        return this;
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, options.processingGuarantee());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitIntervalMs());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, options.replicationFactor());
        p.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDir().equals("default")
                ? Path.of(System.getProperty("java.io.tmpdir"), "shardflow-rebalancer").toString() : options.stateDir());
        // a copy reads the change topics from their beginning
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        return p;
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.CREATED : streams.state();
    }

    public RouteCounts counts() {
        return counts;
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
    }
}
