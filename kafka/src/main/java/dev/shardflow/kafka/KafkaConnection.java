package dev.shardflow.kafka;

import dev.shardflow.core.config.ClientProperties;
import dev.shardflow.core.config.Setting;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * How every Kafka client of a process reaches the cluster: the bootstrap servers and the operator's client
 * properties ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, or any other client setting), handed to each
 * producer, consumer, admin client, Streams application and Debezium engine as they are. Every client of shardflow
 * is built from one of these, so a secured cluster is configured in one place.
 *
 * <p>Settings a client needs for its own function (serializers, group ids, isolation, sizes) are set over the
 * operator's. Only the bootstrap servers, the security protocol and the SASL mechanism are ever printed; the values
 * of the other properties, credentials among them, never are.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> properties) {

    /** The operator's client properties, one setting shared by every process. */
    public static final Setting<Map<String, Object>> PROPERTIES = ClientProperties.setting("kafka.properties",
            "Kafka client properties given to every client as they are, for a secured cluster: security.protocol, "
                    + "sasl.mechanism, sasl.jaas.config, ssl.truststore.location and the like; a secret as "
                    + "{env: VARIABLE} or {file: /path}");

    /** How long a process waits for the cluster to answer when it starts. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final List<String> PRINTABLE = List.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
            SaslConfigs.SASL_MECHANISM);

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrapServers must not be blank");
        }
        if (properties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("kafka.properties must not set bootstrap.servers; "
                    + "set kafka.bootstrapServers instead");
        }
        properties = Map.copyOf(properties);
    }

    /** A cluster reached with nothing but its bootstrap servers (no TLS, no authentication). */
    public static KafkaConnection plain(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /** The connection of a settings file: its bootstrap servers and its {@link #PROPERTIES}, secrets read now. */
    public static KafkaConnection of(String bootstrapServers, Map<String, Object> properties,
            UnaryOperator<String> environment) {
        return new KafkaConnection(bootstrapServers,
                ClientProperties.resolve(PROPERTIES.name(), properties, environment));
    }

    /** The settings of one client: the bootstrap servers, the operator's properties, then the client's own. */
    public Properties client(Map<String, ?> own) {
        Properties p = new Properties();
        p.putAll(map(own));
        return p;
    }

    /** {@link #client} as a map, for the APIs that take one. */
    public Map<String, Object> map(Map<String, ?> own) {
        Map<String, Object> settings = new HashMap<>(properties);
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.putAll(own);
        return settings;
    }

    /** An admin client with the client's own settings. */
    public AdminClient admin(Map<String, ?> own) {
        return AdminClient.create(map(own));
    }

    /**
     * The connection's settings under a prefix, as Debezium's schema history ({@code schema.history.internal.
     * producer.}) and Kafka Streams ({@code admin.}, say) take settings meant for one of their inner clients.
     */
    public Map<String, String> prefixed(String prefix) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(prefix + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.forEach((key, value) -> settings.put(prefix + key, value));
        return settings;
    }

    /**
     * Returns once the cluster answered this connection within {@code timeout}: what a process checks before it
     * starts anything, so that a wrong address, trust store or credential stops it at once, named.
     *
     * @throws IllegalStateException saying which of them failed, without any secret
     */
    public void verify(Duration timeout) {
        try (ClusterCheck check = ClusterCheck.of(this, timeout)) {
            check.check();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The bootstrap servers, with the security protocol and SASL mechanism when set; no other value. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        PRINTABLE.forEach(key -> {
            if (properties.containsKey(key)) {
                shown.put(key, properties.get(key));
            }
        });
        return shown.isEmpty() ? bootstrapServers : bootstrapServers + " " + shown;
    }
}
