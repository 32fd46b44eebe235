package dev.shardflow.cli.recovery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The topology file and Kafka cluster of the commands that read the keyspace's topics themselves. */
public final class KafkaOptions {
    @Option(names = "--topology", required = true, paramLabel = "FILE", description = "The topology YAML file.")
    Path topologyFile;

    @Option(names = "--kafka", paramLabel = "SERVERS", defaultValue = "${env:SHARDFLOW_KAFKA:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $SHARDFLOW_KAFKA or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE", defaultValue = "${env:SHARDFLOW_KAFKA_PROPERTIES}",
            description = "A YAML map of Kafka client properties for a secured cluster, as kafka.properties in the "
                    + "processes' settings: security.protocol, sasl.*, ssl.*, a secret as {env: VARIABLE} or "
                    + "{file: /path} (default: $SHARDFLOW_KAFKA_PROPERTIES).")
    Path propertiesFile;

    @Option(names = "--kafka-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for Kafka before giving up (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    public Topology topology() {
        return TopologyLoader.load(topologyFile);
    }

    /** The cluster and the client properties of the file, its secrets read now. */
    public KafkaConnection connection() {
        if (propertiesFile == null) {
            return KafkaConnection.plain(bootstrapServers);
        }
        Map<String, Object> properties;
        try {
            properties = new YAMLMapper().readValue(Files.readString(propertiesFile), new TypeReference<>() {});
        } catch (IOException e) {
            throw new ConfigException(propertiesFile.toString(), List.of("cannot read it as a YAML map of Kafka "
                    + "client properties: " + e.getMessage()));
        }
        String invalid = KafkaConnection.PROPERTIES.validator().apply(properties == null ? Map.of() : properties);
        if (invalid != null) {
            throw new ConfigException(propertiesFile.toString(), List.of(invalid));
        }
        return KafkaConnection.of(bootstrapServers, properties == null ? Map.of() : properties, System::getenv);
    }

    public Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }
}
