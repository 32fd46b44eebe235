package dev.shardflow.testkit.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** One Kafka broker in a Docker container (Testcontainers, the {@code apache/kafka} image of our Kafka version). */
public final class ContainerKafkaCluster implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(ContainerKafkaCluster.class);
    static final String IMAGE = "apache/kafka:" + org.apache.kafka.common.utils.AppInfoParser.getVersion();

    private final KafkaContainer container;

    private ContainerKafkaCluster(KafkaContainer container) {
        this.container = container;
    }

    /** True when a Docker engine answers; Testcontainers needs one. */
    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public static ContainerKafkaCluster start() {
        if (!dockerAvailable()) {
            throw new IllegalStateException("no Docker engine answers here, so the Testcontainers Kafka variant "
                    + "cannot run; use the in-JVM cluster (-Dshardflow.kafka=embedded)");
        }
        KafkaContainer container = new KafkaContainer(IMAGE);
        container.start();
        log.info("Kafka container {} ready at {}", IMAGE, container.getBootstrapServers());
        return new ContainerKafkaCluster(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public int brokerCount() {
        return 1;
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "Kafka container " + IMAGE + " at " + bootstrapServers();
    }
}
