package dev.shardflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientPropertiesTest {
    private static final Setting<Map<String, Object>> PROPERTIES = ClientProperties.setting("kafka.properties",
            "client properties");
    private static final Setting<String> SERVERS = Setting.text("kafka.bootstrapServers", null, "servers");

    @TempDir
    Path dir;

    @Test
    void valuesPassAsTheyAreAndSecretsAreReadFromTheEnvironmentOrAFile() throws Exception {
        Path secret = Files.writeString(dir.resolve("truststore-password"), "trust-me\n");
        Path file = Files.writeString(dir.resolve("capture.yaml"), """
                kafka:
                  bootstrapServers: kafka-1:9093
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    sasl.jaas.config: {env: KAFKA_JAAS}
                    ssl.truststore.password: {file: %s}
                    request.timeout.ms: 60000
                """.formatted(secret));
        Map<String, String> environment = Map.of("KAFKA_JAAS", "ScramLoginModule required;");
        SettingsReader settings = SettingsReader.of(file, environment).read(List.of(SERVERS, PROPERTIES));

        assertThat(ClientProperties.resolve("kafka.properties", settings.get(PROPERTIES), environment::get))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", "ScramLoginModule required;",
                        "ssl.truststore.password", "trust-me",
                        "request.timeout.ms", "60000"));
    }

    @Test
    void noPropertiesIsAnEmptyMap() throws Exception {
        Path file = Files.writeString(dir.resolve("writer.yaml"), "kafka:\n  bootstrapServers: k:9092\n");
        assertThat(SettingsReader.of(file, Map.of()).read(List.of(SERVERS, PROPERTIES)).get(PROPERTIES)).isEmpty();
    }

    @Test
    void theEnvironmentCanGiveTheWholeMap() throws Exception {
        Path file = Files.writeString(dir.resolve("writer.yaml"), "kafka:\n  bootstrapServers: k:9092\n");
        Map<String, String> environment = Map.of("SHARDFLOW_KAFKA_PROPERTIES",
                "{security.protocol: SSL, ssl.truststore.location: /etc/kafka/trust.p12}");
        assertThat(SettingsReader.of(file, environment).read(List.of(SERVERS, PROPERTIES)).get(PROPERTIES))
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12");
    }

    @Test
    void aMissingSecretNamesThePropertyAndTheVariableButNoValue() {
        Map<String, Object> properties = Map.of("sasl.jaas.config", Map.of("env", "KAFKA_JAAS"),
                "security.protocol", "SASL_SSL");
        assertThatThrownBy(() -> ClientProperties.resolve("kafka.properties", properties, name -> null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.properties.sasl.jaas.config: environment variable KAFKA_JAAS is not set");
    }

    @Test
    void aSecretReferenceThatIsNeitherEnvNorFileFailsAtStartNamingTheProperty() throws Exception {
        Path file = Files.writeString(dir.resolve("writer.yaml"), """
                kafka:
                  bootstrapServers: k:9092
                  properties:
                    sasl.jaas.config: {vault: kafka/jaas}
                """);
        assertThatThrownBy(() -> SettingsReader.of(file, Map.of()).read(List.of(SERVERS, PROPERTIES)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.properties: property sasl.jaas.config: a secret is {env: VARIABLE} or "
                        + "{file: /path}");
    }

    @Test
    void aMapThatIsNotAMapFailsNamingTheSetting() throws Exception {
        Path file = Files.writeString(dir.resolve("writer.yaml"), """
                kafka:
                  bootstrapServers: k:9092
                  properties: SASL_SSL
                """);
        assertThatThrownBy(() -> SettingsReader.of(file, Map.of()).read(List.of(SERVERS, PROPERTIES)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.properties: 'SASL_SSL' is not a map");
    }
}
