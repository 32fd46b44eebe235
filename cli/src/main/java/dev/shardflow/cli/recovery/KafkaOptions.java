package dev.shardflow.cli.recovery;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The topology file and Kafka cluster of the commands that read the keyspace's topics themselves. */
public final class KafkaOptions {
    @Option(names = "--topology", required = true, paramLabel = "FILE", description = "The topology YAML file.")
    Path topologyFile;

    @Option(names = "--kafka", paramLabel = "SERVERS", defaultValue = "${env:SHARDFLOW_KAFKA:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $SHARDFLOW_KAFKA or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--kafka-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for Kafka before giving up (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    public Topology topology() {
        return TopologyLoader.load(topologyFile);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }
}
