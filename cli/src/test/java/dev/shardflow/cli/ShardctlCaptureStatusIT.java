package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code shardctl capture status} over a real capture of a PostgreSQL and a MariaDB source: each shard's state,
 * rate, lag and the source log it holds back (the slot's WAL, the binlog files), a warning above the threshold; a
 * source that goes away shows RETRYING with its error, and RUNNING again once it is back; a stopped capture says
 * STOPPED.
 */
class ShardctlCaptureStatusIT {

    private static void insertUser(DatabaseShard shard, long id) {
        shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES (" + id + ", 'u" + id
                + "', 'u" + id + "@example.com', '2025-01-01 10:00:00', 1)");
    }

    @Test
    void showsEachShardsStateRateLagAndHeldBackSourceLog() {
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start()) {
            testbed.shards().forEach(SampleSchema::applyTo);
            Topology topology = ShopTopology.of(testbed.shards());
            Path file = ShopTopology.writeYaml(topology, Scratch.newDirectory("capture-status"));
            String kafka = testbed.kafka().bootstrapServers();
            DatabaseShard pg = testbed.postgres().get(0);
            DatabaseShard maria = testbed.mariadb().get(0);
            String[] status = {"capture", "status", "--topology", file.toString(), "--kafka", kafka};

            assertThat(ShardctlRun.of(status).out()).contains(pg.id() + " ", "NO REPORT");

            CaptureOptions options = CaptureOptions.defaults(topology, kafka).withReplicationFactor(1)
                    .withRestarts(20, 1000).withReports(1000, 1);
            AtomicReference<ShardctlRun> last = new AtomicReference<>();
            try (CaptureService capture = new CaptureService(options).start()) {
                insertUser(pg, 1);
                insertUser(maria, 2);
                await("both shards report RUNNING with their held-back log").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                            last.set(ShardctlRun.of(status));
                            assertThat(last.get().out()).containsPattern(pg.id() + " +postgresql +RUNNING ")
                                    .containsPattern(maria.id() + " +mariadb +RUNNING ")
                                    .contains("WAL kept for slot shardflow_shop_" + pg.id(), "binlog ");
                        });
                System.out.println("shardctl capture status:\n" + last.get().out());
                assertThat(last.get().exit()).as("above the 1-byte warning threshold").isEqualTo(ExitCodes.FAILED);
                assertThat(last.get().out()).contains("WARN ", "above sourceLog.warnBytes (1 B)");

                pg.kill();
                await("the PostgreSQL shard shows it retries, and why").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                            last.set(ShardctlRun.of(status));
                            assertThat(last.get().out()).containsPattern(pg.id() + " +postgresql +RETRYING ")
                                    .contains("last error: ");
                        });
                System.out.println("shardctl capture status, source killed:\n" + last.get().out());
                pg.restart();
                await("RUNNING again once the source is back").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(ShardctlRun.of(status)
                                .out()).containsPattern(pg.id() + " +postgresql +RUNNING "));
            }
            ShardctlRun stopped = ShardctlRun.of(status);
            assertThat(stopped.out()).containsPattern(pg.id() + " +postgresql +STOPPED ")
                    .containsPattern(maria.id() + " +mariadb +STOPPED ");
            assertThat(stopped.exit()).isEqualTo(ExitCodes.FAILED);
            assertThat(last.get().out() + stopped.out()).doesNotContain(pg.password(), maria.password());
        }
    }
}
