package dev.shardflow.testkit.kafka;

import dev.shardflow.testkit.process.Scratch;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Kafka brokers running inside this JVM in KRaft mode (the first one also the controller), each listening on a
 * free loopback port, with fresh log directories that {@link #close()} deletes.
 */
public final class EmbeddedKafkaCluster implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    private final KafkaClusterTestKit cluster;
    private final int brokers;
    private final Path baseDirectory;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, int brokers, Path baseDirectory) {
        this.cluster = cluster;
        this.brokers = brokers;
        this.baseDirectory = baseDirectory;
    }

    /**
     * Formats and starts {@code brokers} brokers; internal topics (offsets, transactions) are replicated to
     * {@code min(3, brokers)} of them, so consumer groups and transactions work with a single broker too.
     */
    public static EmbeddedKafkaCluster start(int brokers, Map<String, String> brokerConfig) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be at least 1, was " + brokers);
        }
        long started = System.nanoTime();
        Path baseDirectory = Scratch.newDirectory("kafka");
        String replication = Integer.toString(Math.min(3, brokers));
        String minIsr = Integer.toString(Math.min(2, brokers));
        KafkaClusterTestKit cluster = null;
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(brokers)
                    // One KRaft controller (combined with the first broker): a static quorum of several combined
                    // nodes trips over UpdateVoter in Kafka 4.1's raft client, and replication tests need brokers,
                    // not controllers.
                    .setNumControllerNodes(1)
                    .setBaseDirectory(baseDirectory)
                    // The production metadata version of this Kafka release, not the unstable one in development.
                    .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                    .build())
                    .setConfigProp("offsets.topic.replication.factor", replication)
                    .setConfigProp("transaction.state.log.replication.factor", replication)
                    .setConfigProp("transaction.state.log.min.isr", minIsr)
                    .setConfigProp("share.coordinator.state.topic.replication.factor", replication)
                    .setConfigProp("share.coordinator.state.topic.min.isr", minIsr)
                    .setConfigProp("group.initial.rebalance.delay.ms", "0");
            brokerConfig.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            closeQuietly(cluster);
            Scratch.delete(baseDirectory);
            throw new IllegalStateException("cannot start an in-JVM Kafka cluster of " + brokers + " broker(s): "
                    + e.getMessage(), e);
        }
        EmbeddedKafkaCluster ready = new EmbeddedKafkaCluster(cluster, brokers, baseDirectory);
        log.info("in-JVM Kafka cluster of {} broker(s) ready at {} in {} ms", brokers, ready.bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000);
        return ready;
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    @Override
    public void close() {
        closeQuietly(cluster);
        Scratch.delete(baseDirectory);
        log.info("in-JVM Kafka cluster of {} broker(s) closed", brokers);
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            log.warn("error while closing the in-JVM Kafka cluster: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "in-JVM Kafka cluster of " + brokers + " broker(s) at " + bootstrapServers();
    }
}
