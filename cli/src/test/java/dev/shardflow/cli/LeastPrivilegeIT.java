package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.capture.ShardCapture;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.process.Health;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A shard user holding the grants the README documents, on PostgreSQL and MariaDB, but for one: {@code capture check}
 * names the missing GRANT; capture and the writers, started anyway, wait for it — not ready, saying which — instead of
 * failing or taking it for an outage; once it is granted they run, without a restart: a row written on each source is
 * captured and a change for each target is applied.
 */
class LeastPrivilegeIT {
    private static final String USER = "limited";
    private static final String PASSWORD = "limited-Pw-7";

    @Test
    void theDocumentedGrantsAreEnoughAndAMissingOneIsNamedAndWaitedFor() throws Exception {
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start()) {
            testbed.shards().forEach(SampleSchema::applyTo);
            DatabaseShard pg = testbed.postgres().get(0);
            DatabaseShard maria = testbed.mariadb().get(0);
            // every documented grant but the one to create tables (shardflow's control tables)
            pg.execute("CREATE ROLE shop_owner NOLOGIN",
                    "ALTER TABLE users OWNER TO shop_owner", "ALTER TABLE orders OWNER TO shop_owner",
                    "ALTER TABLE order_items OWNER TO shop_owner", "ALTER TABLE products OWNER TO shop_owner",
                    "CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'",
                    "GRANT CONNECT, CREATE ON DATABASE " + pg.database() + " TO " + USER,
                    "GRANT USAGE ON SCHEMA public TO " + USER,
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + USER,
                    "GRANT shop_owner TO " + USER);
            String account = "'" + USER + "'@'%'";
            maria.execute("CREATE USER " + account + " IDENTIFIED BY '" + PASSWORD + "'",
                    "GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO " + account,
                    "GRANT SELECT, INSERT, UPDATE, DELETE, ALTER ON `" + maria.database() + "`.* TO " + account);

            Topology topology = limitedTopology(testbed.shards());
            Path file = ShopTopology.writeYaml(topology, Scratch.newDirectory("least-privilege"));
            ShardctlRun check = ShardctlRun.of("capture", "check", "--topology", file.toString());
            System.out.println("shardctl capture check, a grant missing:\n" + check.out());
            assertThat(check.exit()).isEqualTo(ExitCodes.FAILED);
            assertThat(check.out()).contains("FAIL shard pg1: missing privilege: shardflow creates its control "
                    + "tables", "run: GRANT CREATE ON SCHEMA public TO " + USER,
                    "FAIL shard maria1: missing privilege: shardflow creates its control tables",
                    "run: GRANT CREATE ON `" + maria.database() + "`.* TO " + account);
            assertThat(check.out()).doesNotContain(PASSWORD, pg.password(), maria.password());

            String kafka = testbed.kafka().bootstrapServers();
            for (ShardSpec shard : topology.shards()) {
                testbed.kafka().createTopic("sf.shop.apply." + shard.id(), 2, 1, Map.of());
            }
            List<AutoCloseable> running = new ArrayList<>();
            try {
                CaptureService capture = new CaptureService(CaptureOptions.defaults(topology, kafka)
                        .withReplicationFactor(1)).start();
                running.add(capture);
                List<WriterService> writers = new ArrayList<>();
                for (ShardSpec shard : topology.shards()) {
                    WriterService writer = new WriterService(WriterOptions.defaults(topology, shard.id(), kafka))
                            .start();
                    running.add(writer);
                    writers.add(writer);
                }
                for (ShardSpec shard : topology.shards()) {
                    ShardCapture shardCapture = capture.shard(shard.id());
                    assertThat(shardCapture.state()).isEqualTo(ShardCapture.State.RETRYING);
                    assertThat(shardCapture.failure()).contains("missing privileges", "GRANT CREATE ON");
                }
                for (WriterService writer : writers) {
                    await("the writer says which privilege it lacks").atMost(Duration.ofSeconds(30))
                            .until(() -> writer.loops().stream().anyMatch(l -> l.state().equals("MISSING_PRIVILEGES")
                                    && l.detail().contains("GRANT CREATE ON")));
                }
                try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                    for (ShardSpec shard : topology.shards()) {
                        ChangeEvent change = new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", 9_000L),
                                null, ShopTopology.userRow(9_000, 1), 9_000L,
                                new Source("elsewhere", new PostgresLsn(64), null, 0), 1);
                        producer.send(new ProducerRecord<>("sf.shop.apply." + shard.id(),
                                TableRowKey.of(change).toBytes(), EventJson.toBytes(change)));
                    }
                }

                pg.execute("GRANT CREATE ON SCHEMA public TO " + USER);
                maria.execute("GRANT CREATE ON `" + maria.database() + "`.* TO " + account);

                for (ShardSpec shard : topology.shards()) {
                    await("capture of " + shard.id() + " running once granted").atMost(Duration.ofSeconds(90))
                            .until(() -> capture.shard(shard.id()).state() == ShardCapture.State.RUNNING);
                }
                long before = capture.shard("pg1").eventCount() + capture.shard("maria1").eventCount();
                for (DatabaseShard shard : List.of(pg, maria)) {
                    shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES (777, 'u777', "
                            + "'u777@example.com', '2025-01-01 10:00:00', 1)");
                }
                await("a row on each source captured").atMost(Duration.ofSeconds(90)).until(() ->
                        capture.shard("pg1").eventCount() + capture.shard("maria1").eventCount() >= before + 2);
                for (DatabaseShard shard : List.of(pg, maria)) {
                    await("the change applied on " + shard.id() + " once granted").atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofSeconds(1))
                            .until(() -> count(shard, "SELECT COUNT(*) FROM users WHERE id = 9000") == 1);
                }
                for (WriterService writer : writers) {
                    await("the writer ready").atMost(Duration.ofSeconds(30))
                            .until(() -> writer.loops().stream().allMatch(Health.Loop::running));
                }
            } finally {
                for (int i = running.size() - 1; i >= 0; i--) {
                    running.get(i).close();
                }
            }
            assertThat(ShardctlRun.of("capture", "check", "--topology", file.toString()).exit()).isZero();
        }
    }

    /** The shop topology over these shards, each reached as the limited user. */
    private static Topology limitedTopology(List<DatabaseShard> shards) throws Exception {
        Topology admin = ShopTopology.of(shards);
        Path secret = Files.writeString(Scratch.newDirectory("limited-secret").resolve("password"), PASSWORD);
        List<ShardSpec> limited = admin.shards().stream().map(s -> new ShardSpec(s.id(), s.engine(), s.jdbcUrl(),
                USER, SecretRef.file(secret.toString()), s.weight())).toList();
        return new Topology(admin.keyspace(), admin.epoch(), admin.topicPrefix(), admin.tables(), limited,
                admin.strategy());
    }

    private static long count(DatabaseShard shard, String sql) throws Exception {
        try (var connection = shard.connect(); var statement = connection.createStatement();
                var result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
