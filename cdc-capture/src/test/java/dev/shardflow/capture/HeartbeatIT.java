package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.debezium.EngineProperties;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL shard whose captured tables see no change while other tables write WAL: heartbeats must move the
 * replication slot forward, or the server would keep all that WAL for the idle slot.
 */
class HeartbeatIT {

    @Test
    void anIdleShardsSlotMovesForwardSoTheServerDoesNotRetainWal() throws Exception {
        try (KafkaCluster kafka = KafkaClusters.start(); PostgresShard shard = PostgresShard.start("pg-idle")) {
            SampleSchema.applyTo(shard);
            shard.execute("CREATE TABLE not_captured (id BIGSERIAL PRIMARY KEY, payload TEXT)");
            Topology topology = ShopTopology.of(List.of(shard));
            CaptureOptions options = CaptureOptions.defaults(topology, kafka.bootstrapServers())
                    .withReplicationFactor(1).withHeartbeatIntervalMs(500);
            String slot = EngineProperties.slotName(topology, topology.shards().get(0));
            try (CaptureService capture = new CaptureService(options).start()) {
                await("slot created").atMost(Duration.ofSeconds(60)).until(() -> confirmedFlush(shard, slot) != null);
                PostgresLsn before = confirmedFlush(shard, slot);
                for (int i = 0; i < 20; i++) {
                    shard.execute("INSERT INTO not_captured (payload) SELECT repeat('x', 200) FROM generate_series(1, 5000)");
                }
                PostgresLsn walEnd = PostgresLsn.parse(single(shard, "SELECT pg_current_wal_lsn()::text"));
                await("the idle slot confirmed past the uncaptured writes").atMost(Duration.ofSeconds(60))
                        .until(() -> confirmedFlush(shard, slot).compareTo(walEnd) >= 0);
                assertThat(confirmedFlush(shard, slot).isAfter(before)).isTrue();
                assertThat(capture.shard("pg-idle").eventCount()).as("no data events, only the snapshot")
                        .isEqualTo(12);
            }
        }
    }

    private static PostgresLsn confirmedFlush(PostgresShard shard, String slot) throws SQLException {
        String lsn = single(shard, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                + slot + "'");
        return lsn == null ? null : PostgresLsn.parse(lsn);
    }

    private static String single(PostgresShard shard, String sql) throws SQLException {
        try (Connection c = shard.connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }
}
