package dev.shardflow.rebalancer;

import dev.shardflow.process.Health;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Streams application that runs for as long as the rebalancer does — the views, the poison watch: a stream thread
 * that fails is replaced and resumes from the last commit, the client's metrics are published, and it leaves its
 * group when it stops, so that another instance takes its partitions at once.
 */
final class StandingApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandingApp.class);

    private final String name;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;

    private StandingApp(String name, KafkaStreams streams, KafkaStreamsMetrics metrics) {
        this.name = name;
        this.streams = streams;
        this.metrics = metrics;
    }

    /** @param name what it is, as logs and health name it: {@code views of shop} */
    static StandingApp start(String name, Topology topology, Properties properties, MeterRegistry registry) {
        KafkaStreams streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(error -> {
            log.error("{}: a stream thread failed; it is replaced and resumes from the last commit", name, error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        return new StandingApp(name, streams, metrics);
    }

    /** A Streams application as a loop of the process's health: running when RUNNING; in ERROR, FAILED. */
    static Health.Loop loop(String name, KafkaStreams.State state) {
        return switch (state) {
            case RUNNING -> new Health.Loop(name, true, "RUNNING", "");
            case ERROR -> new Health.Loop(name, false, "FAILED", "every stream thread died; see the log");
            default -> new Health.Loop(name, false, state.name(), state == KafkaStreams.State.REBALANCING
                    ? "its partitions are being assigned" : "");
        };
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        metrics.close();
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        log.info("{}: stopped", name);
    }
}
