package dev.shardflow.testkit.kafka;

import java.util.Locale;
import java.util.Map;

/**
 * Starts the Kafka cluster a test asks for, of the kind chosen with {@code -Dshardflow.kafka}:
 * {@code embedded} (the default: real brokers inside this JVM), {@code docker} (Testcontainers; fails where no
 * Docker engine runs) or {@code auto} (Docker where it runs, else embedded). Clusters of more than one broker are
 * always embedded.
 */
public final class KafkaClusters {
    public static final String KIND_PROPERTY = "shardflow.kafka";

    private KafkaClusters() {}

    public static KafkaCluster start() {
        return start(1);
    }

    public static KafkaCluster start(int brokers) {
        String kind = System.getProperty(KIND_PROPERTY, "embedded").toLowerCase(Locale.ROOT);
        boolean docker = switch (kind) {
            case "embedded" -> false;
            case "docker" -> true;
            case "auto" -> ContainerKafkaCluster.dockerAvailable();
            default -> throw new IllegalArgumentException(KIND_PROPERTY + "=" + kind
                    + " is not a Kafka kind; use embedded, docker or auto");
        };
        if (docker && brokers == 1) {
            return ContainerKafkaCluster.start();
        }
        return EmbeddedKafkaCluster.start(brokers, Map.of());
    }
}
