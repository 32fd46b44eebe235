package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PreflightIT {
    private static KafkaCluster kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaClusters.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void misconfiguredSourcesStopTheStartWithEveryProblemAndItsFix() throws Exception {
        try (PostgresShard good = PostgresShard.start("pg-good");
                PostgresShard replicaOnly = PostgresShard.builder("pg-replica").setting("wal_level", "replica").start();
                MariaDbShard noBinlog = MariaDbShard.builder("maria-nobinlog").option("skip-log-bin", "").start();
                MariaDbShard statement = MariaDbShard.builder("maria-statement")
                        .option("binlog-format", "STATEMENT").option("binlog-row-image", "MINIMAL").start()) {
            List<DatabaseShard> shards = List.of(good, replicaOnly, noBinlog, statement);
            shards.forEach(SampleSchema::applyTo);
            Topology topology = ShopTopology.of(shards);

            assertThatThrownBy(() -> new CaptureService(CaptureOptions.defaults(topology, kafka.bootstrapServers()))
                    .start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shard pg-replica: wal_level is replica; set wal_level = logical")
                    .hasMessageContaining("shard maria-nobinlog: log_bin is OFF; start the server with --log-bin")
                    .hasMessageContaining("shard maria-statement: binlog_format is STATEMENT; set binlog_format=ROW")
                    .hasMessageContaining("shard maria-statement: binlog_row_image is MINIMAL; set binlog_row_image=FULL")
                    .hasMessageNotContaining("pg-good")
                    .hasMessageNotContaining(good.password());

            // nothing started half-configured: no slot on the good shard, no topic created
            try (Connection c = good.connect(); Statement s = c.createStatement();
                    ResultSet slots = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
                slots.next();
                assertThat(slots.getInt(1)).isZero();
            }
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                assertThat(admin.listTopics().names().get()).noneMatch(t -> t.startsWith("sf.shop"));
            }
        }
    }

    @Test
    void aPostgresTableWhoseDeletesWouldNotCarryItsShardKeyIsReported() {
        try (PostgresShard shard = PostgresShard.start("pg-identity")) {
            SampleSchema.applyTo(shard);
            shard.execute("ALTER TABLE orders REPLICA IDENTITY DEFAULT");
            Topology topology = ShopTopology.of(List.of(shard));
            assertThatThrownBy(() -> new CaptureService(CaptureOptions.defaults(topology, kafka.bootstrapServers()))
                    .start())
                    .hasMessageContaining("shard pg-identity: table orders has REPLICA IDENTITY DEFAULT, so its deletes "
                            + "do not carry user_id; ALTER TABLE orders REPLICA IDENTITY FULL");
        }
    }
}
