package dev.shardflow.testkit.kafka;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The same contract against a Kafka container. Runs only where a Docker engine answers; elsewhere each test is
 * reported as skipped, with the reason.
 */
class ContainerKafkaClusterIT extends KafkaClusterContract {
    private static final boolean DOCKER = ContainerKafkaCluster.dockerAvailable();
    private static ContainerKafkaCluster cluster;

    @BeforeEach
    void startContainerWhereDockerRuns() {
        assumeTrue(DOCKER, "skipped: no Docker engine answers on this machine, so the Testcontainers Kafka variant "
                + "cannot run (EmbeddedKafkaClusterIT checks the same contract against in-JVM brokers)");
        if (cluster == null) {
            cluster = ContainerKafkaCluster.start();
        }
    }

    @AfterAll
    static void stopContainer() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    KafkaCluster cluster() {
        return cluster;
    }
}
