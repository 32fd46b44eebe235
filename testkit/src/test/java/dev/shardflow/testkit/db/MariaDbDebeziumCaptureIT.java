package dev.shardflow.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one check that Debezium's MariaDB connector, run by the embedded engine, captures from the MariaDB server the
 * testkit ships: a snapshot of existing rows, then live inserts and updates from the binlog.
 */
class MariaDbDebeziumCaptureIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void debeziumMariaDbConnectorCapturesSnapshotThenLiveChanges() throws Exception {
        try (MariaDbShard shard = MariaDbShard.start("maria-debezium")) {
            SampleSchema.applyTo(shard);
            shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES "
                    + "(1, 'ada', 'ada@example.com', now(), 1), (2, 'grace', 'grace@example.com', now(), 1)");

            List<JsonNode> changes = new CopyOnWriteArrayList<>();
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try (DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
                    .using(connectorProperties(shard))
                    .notifying(event -> {
                        if (event.value() != null) {
                            changes.add(parse(event.value()));
                        }
                    })
                    .build()) {
                executor.execute(engine);

                await("snapshot of the two users").atMost(Duration.ofSeconds(90))
                        .until(() -> ops(changes, "users").stream().filter("r"::equals).count() == 2);

                shard.execute("INSERT INTO users (id, username, email, created_at, version) "
                        + "VALUES (3, 'edsger', 'edsger@example.com', now(), 1)",
                        "UPDATE users SET username = 'ada_l', version = 2 WHERE id = 1");

                await("live insert and update").atMost(Duration.ofSeconds(60))
                        .until(() -> ops(changes, "users").containsAll(List.of("c", "u")));
            } finally {
                executor.shutdown();
                executor.awaitTermination(30, TimeUnit.SECONDS);
            }

            JsonNode update = changes.stream()
                    .filter(c -> "u".equals(c.path("payload").path("op").asText()))
                    .findFirst().orElseThrow().path("payload");
            assertThat(update.path("before").path("username").asText()).isEqualTo("ada");
            assertThat(update.path("after").path("username").asText()).isEqualTo("ada_l");
            assertThat(update.path("source").path("server_id").asLong()).isEqualTo(shard.serverId());
            assertThat(update.path("source").path("file").asText()).startsWith("mysql-bin.");
        }
    }

    private static Properties connectorProperties(MariaDbShard shard) {
        Properties p = new Properties();
        p.setProperty("name", "testkit-mariadb-capture");
        p.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("schema.history.internal", "io.debezium.relational.history.MemorySchemaHistory");
        p.setProperty("database.hostname", shard.host());
        p.setProperty("database.port", Integer.toString(shard.port()));
        p.setProperty("database.user", shard.user());
        p.setProperty("database.password", shard.password());
        p.setProperty("database.server.id", Integer.toString(shard.serverId() + 10_000));
        p.setProperty("database.ssl.mode", "disable");
        p.setProperty("topic.prefix", "testkit");
        p.setProperty("database.include.list", shard.database());
        p.setProperty("table.include.list", shard.database() + ".users");
        p.setProperty("snapshot.mode", "initial");
        return p;
    }

    private static List<String> ops(List<JsonNode> changes, String table) {
        return changes.stream()
                .filter(c -> table.equals(c.path("payload").path("source").path("table").asText()))
                .map(c -> c.path("payload").path("op").asText())
                .toList();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("Debezium emitted unparsable JSON: " + json, e);
        }
    }
}
