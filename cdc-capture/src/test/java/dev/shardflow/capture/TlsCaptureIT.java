package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.ChangeTopicReader.Entry;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import dev.shardflow.testkit.tls.TestCertificates;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Capture from sources that take TCP connections over TLS only — PostgreSQL with {@code ssl=on} and nothing but
 * {@code hostssl} lines, its tables in a schema other than {@code public}; MariaDB with
 * {@code require_secure_transport=ON} — each trusted by the certificate its JDBC URL names: the snapshot and the
 * live changes arrive, over TLS for the connector's queries, the replication slot and the binlog alike.
 */
class TlsCaptureIT {

    @Test
    void snapshotAndLiveChangesArriveFromSourcesThatRequireTls() throws Exception {
        TestCertificates certificates = TestCertificates.generate();
        try (KafkaCluster kafka = KafkaClusters.start();
                PostgresShard pg = PostgresShard.builder("pg1").tls(certificates).schema("shop_app").start();
                MariaDbShard maria = MariaDbShard.builder("maria1").tls(certificates).start()) {
            assertThat(pg.jdbcUrl()).contains("sslmode=verify-full", "currentSchema=shop_app");
            assertThat(maria.jdbcUrl()).contains("sslMode=verify-full", "serverSslCert=");
            assertThatThrownBy(() -> plainConnection(pg.jdbcUrl().replace("sslmode=verify-full", "sslmode=disable"),
                    pg)).as("PostgreSQL without TLS").hasMessageContaining("no encryption");
            assertThatThrownBy(() -> plainConnection(maria.jdbcUrl().replace("sslMode=verify-full",
                    "sslMode=disable"), maria)).as("MariaDB without TLS").hasMessageContaining("insecure transport");

            List<DatabaseShard> shards = List.of(pg, maria);
            shards.forEach(SampleSchema::applyTo);
            assertThat(tablesIn(pg, "shop_app")).as("the tables live in shop_app").contains("users", "orders");
            assertThat(tablesIn(pg, "public")).as("and not in public").doesNotContain("users");
            for (DatabaseShard shard : shards) {
                shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES "
                        + "(1, 'ada', 'ada@example.com', '2025-01-01 10:00:00', 1)");
            }
            Topology topology = ShopTopology.of(shards);
            CaptureOptions options = CaptureOptions.defaults(topology, kafka.connection()).withReplicationFactor(1);
            try (CaptureService capture = new CaptureService(options).start();
                    ChangeTopicReader reader = new ChangeTopicReader(kafka.bootstrapServers(),
                            List.of("sf.shop.cdc.users"))) {
                await("the snapshot of each source").atMost(Duration.ofSeconds(120)).until(() ->
                        users(reader.poll(), Op.READ).size() == 2);
                for (DatabaseShard shard : shards) {
                    shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES "
                            + "(2, 'bob', 'bob@example.com', '2025-01-02 10:00:00', 1)");
                }
                await("a live insert from each source").atMost(Duration.ofSeconds(60)).until(() ->
                        users(reader.poll(), Op.CREATE).size() == 2);
                assertThat(users(reader.poll(), Op.CREATE)).containsExactlyInAnyOrder("pg1", "maria1");
                assertThat(capture.shard("pg1").state()).isEqualTo(ShardCapture.State.RUNNING);
                assertThat(capture.shard("maria1").state()).isEqualTo(ShardCapture.State.RUNNING);
            }
        }
    }

    /** The shards whose users table gave an event of {@code op}. */
    private static List<String> users(List<Entry> entries, Op op) {
        return entries.stream().filter(e -> e.event() != null && !e.event().isMarker() && e.event().op() == op)
                .map(e -> e.key().shard()).toList();
    }

    private static void plainConnection(String url, DatabaseShard shard) throws SQLException {
        try (Connection ignored = DriverManager.getConnection(url, shard.user(), shard.password())) {
            throw new AssertionError("connected without TLS to " + shard.id());
        }
    }

    private static List<String> tablesIn(PostgresShard pg, String schema) throws SQLException {
        try (Connection connection = pg.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT table_name FROM information_schema.tables "
                        + "WHERE table_schema = '" + schema + "'")) {
            List<String> names = new java.util.ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        }
    }
}
