package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shardflow.capture.ChangeTopicReader.Entry;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.db.SqlScript;
import dev.shardflow.testkit.kafka.ContainerKafkaCluster;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MySQLContainer;

/** Capture from a real MySQL 8 through Debezium's MySQL connector; runs only where a Docker engine answers. */
class MySqlCaptureIT {
    private static final boolean DOCKER = ContainerKafkaCluster.dockerAvailable();

    @BeforeEach
    void requireDocker() {
        assumeTrue(DOCKER, "skipped: capture from MySQL 8 runs only where a Docker engine answers (none here); "
                + "MariaDB and PostgreSQL capture are covered by CaptureIT against real servers");
    }

    @Test
    void mysqlSnapshotAndLiveChangesReachTheChangeTopics(@TempDir Path secrets) throws Exception {
        try (MySQLContainer<?> mysql = new MySQLContainer<>("mysql:8.4").withDatabaseName("shop")
                .withUsername("root").withPassword("mysql-root-secret");
                KafkaCluster kafka = KafkaClusters.start()) {
            mysql.start();
            try (Connection c = DriverManager.getConnection(mysql.getJdbcUrl(), "root", "mysql-root-secret");
                    Statement s = c.createStatement()) {
                for (String sql : SqlScript.fromClasspath(SampleSchema.scriptFor(Engine.MYSQL)).statements()) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO users (id, username, email, created_at, version) "
                        + "VALUES (1, 'ada', 'ada@example.com', NOW(), 1)");
            }
            Path password = secrets.resolve("mysql.password");
            Files.writeString(password, "mysql-root-secret");
            ShardSpec shard = new ShardSpec("my1", Engine.MYSQL, mysql.getJdbcUrl(), "root",
                    SecretRef.file(password.toString()), 1.0);
            Topology topology = new Topology("shop", 0, "sf.shop", ShopTopology.TABLES, List.of(shard),
                    HashRing.builder().shard("my1").build());

            try (CaptureService capture = new CaptureService(CaptureOptions.defaults(topology,
                    kafka.bootstrapServers()).withReplicationFactor(1)).start();
                    ChangeTopicReader reader = new ChangeTopicReader(kafka.bootstrapServers(),
                            List.of("sf.shop.cdc.users"))) {
                await().atMost(Duration.ofSeconds(120)).until(() -> reader.poll().stream()
                        .anyMatch(e -> e.event() != null && e.event().op() == Op.READ));
                try (Connection c = DriverManager.getConnection(mysql.getJdbcUrl(), "root", "mysql-root-secret");
                        Statement s = c.createStatement()) {
                    s.execute("UPDATE users SET username = 'ada2', version = 2 WHERE id = 1");
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> reader.poll().stream()
                        .anyMatch(e -> e.event() != null && e.event().op() == Op.UPDATE));
                Entry update = reader.poll().stream().filter(e -> e.event() != null && e.event().op() == Op.UPDATE)
                        .findFirst().orElseThrow();
                assertThat(update.event().before()).containsEntry("username", "ada");
                assertThat(update.event().after()).containsEntry("username", "ada2");
                assertThat(capture.shard("my1").state()).isEqualTo(ShardCapture.State.RUNNING);
            }
        }
    }
}
