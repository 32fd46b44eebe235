package dev.shardflow.testkit.kafka;

import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.tls.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Kafka brokers running inside this JVM in KRaft mode (the first one also the controller), each listening on a
 * free loopback port, with fresh log directories that {@link #close()} deletes.
 */
public final class EmbeddedKafkaCluster implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    /** The name of the SASL_SSL listener of a secured cluster. */
    private static final String SECURE = "SECURE";
    /** The user a secured cluster's clients authenticate as. */
    public static final String USER = "shardflow";

    private final KafkaClusterTestKit cluster;
    private final int brokers;
    private final Path baseDirectory;
    private volatile KafkaConnection secured;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, int brokers, Path baseDirectory) {
        this.cluster = cluster;
        this.brokers = brokers;
        this.baseDirectory = baseDirectory;
    }

    /**
     * One broker whose clients' listener is SASL_SSL: SCRAM-SHA-512 over TLS with a freshly generated certificate
     * for localhost, and a user {@value #USER} with a random password. Brokers talk among themselves, and the
     * test's setup creates the user, over a plaintext listener that {@link #connection()} does not use.
     */
    public static EmbeddedKafkaCluster startSecured() {
        TestCertificates tls = TestCertificates.generate();
        String prefix = "listener.name." + SECURE.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> config = new HashMap<>();
        config.put("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0," + SECURE + "://localhost:0");
        config.put("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + SECURE
                + ":SASL_SSL");
        config.put(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-512");
        config.put(prefix + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        config.put(prefix + "ssl.keystore.type", "PKCS12");
        config.put(prefix + "ssl.keystore.location", tls.keyStore().toString());
        config.put(prefix + "ssl.keystore.password", tls.password());
        config.put(prefix + "ssl.key.password", tls.password());
        EmbeddedKafkaCluster cluster = start(1, config);
        try {
            String password = UUID.randomUUID().toString();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                        .all().get(60, TimeUnit.SECONDS);
            }
            int port = cluster.cluster.brokers().get(0).boundPort(ListenerName.normalised(SECURE));
            KafkaConnection secured = new KafkaConnection("localhost:" + port, Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", jaas(USER, password),
                    "ssl.truststore.type", "PKCS12",
                    "ssl.truststore.location", tls.trustStore().toString(),
                    "ssl.truststore.password", tls.password()));
            Awaitility.await("the SCRAM user " + USER + " is known to the broker")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .untilAsserted(() -> secured.verify(Duration.ofSeconds(5)));
            cluster.secured = secured;
            log.info("its client listener is SASL_SSL (SCRAM-SHA-512) at {}", secured.bootstrapServers());
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("cannot secure the in-JVM Kafka cluster: " + e.getMessage(), e);
        }
    }

    /** The client properties of a SCRAM login as {@code user} with {@code password}. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The secured listener with this cluster's trust store and SCRAM, but another user and password. */
    public KafkaConnection connectionAs(String user, String password) {
        if (secured == null) {
            throw new IllegalStateException("this cluster is not secured; start it with startSecured()");
        }
        Map<String, String> properties = new HashMap<>(secured.properties());
        properties.put("sasl.jaas.config", jaas(user, password));
        return new KafkaConnection(secured.bootstrapServers(), properties);
    }

    @Override
    public KafkaConnection connection() {
        return secured != null ? secured : KafkaCluster.super.connection();
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

    /** The plaintext listener's address, which the brokers use among themselves; see {@link #connection()}. */
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
