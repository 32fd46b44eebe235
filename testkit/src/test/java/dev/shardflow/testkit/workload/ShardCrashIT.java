package dev.shardflow.testkit.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShardCrashIT {
    private static PostgresShard postgres;
    private static MariaDbShard mariadb;

    @BeforeAll
    static void startShards() {
        postgres = PostgresShard.start("pg-crash");
        mariadb = MariaDbShard.start("maria-crash");
        SampleSchema.applyTo(postgres);
        SampleSchema.applyTo(mariadb);
    }

    @AfterAll
    static void closeShards() {
        if (postgres != null) {
            postgres.close();
        }
        if (mariadb != null) {
            mariadb.close();
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesASigkillOfEachShardMidWorkload() {
        List<DatabaseShard> shards = List.of(postgres, mariadb);
        try (Workload workload = Workload.builder(shards).writesPerSecond(400).firstId(1_000_000).build().start()) {
            for (DatabaseShard victim : shards) {
                DatabaseShard survivor = victim == postgres ? mariadb : postgres;
                long before = workload.stats(victim.id()).acknowledged();
                await("writes acknowledged by " + victim.id() + " before the crash")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> workload.stats(victim.id()).acknowledged() >= before + 300);

                victim.kill();
                long survivorAtCrash = workload.stats(survivor.id()).acknowledged();
                await("writes to " + victim.id() + " refused while it is down")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> workload.stats(victim.id()).refused() >= 5);
                assertThat(victim.isRunning()).isFalse();

                victim.restart();
                long atRestart = workload.stats(victim.id()).acknowledged();
                await("writes acknowledged by " + victim.id() + " after the restart")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> workload.stats(victim.id()).acknowledged() >= atRestart + 200);
                assertThat(workload.stats(survivor.id()).acknowledged())
                        .as("the other shard kept taking writes")
                        .isGreaterThan(survivorAtCrash);
            }
            workload.stop();

            NoLossCheck.Report report = NoLossCheck.verify(workload.writeLog(), shards);
            assertThat(report.violations()).isEmpty();
            assertThat(report.rowsChecked()).isGreaterThan(1_000);
            for (DatabaseShard shard : shards) {
                assertThat(workload.stats(shard.id()).anomalies()).as("rows missing on %s", shard.id()).isZero();
            }
        }
    }

    @Test
    void noLossCheckReportsARowThatLostItsLastAcknowledgedWrite() {
        try (Workload workload = Workload.builder(List.of(postgres)).writesPerSecond(500).firstId(2_000_000)
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workload.stats("pg-crash").acknowledged() >= 200);
            workload.stop();
            WriteLog log = workload.writeLog();
            Write lastUserWrite = log.acknowledged().stream()
                    .filter(w -> w.table().equals("users") && w.op() != Write.Op.DELETE)
                    .reduce((first, second) -> second).orElseThrow();
            assertThat(NoLossCheck.verify(log, List.of(postgres)).passed()).isTrue();

            postgres.execute("DELETE FROM users WHERE id = " + lastUserWrite.key());

            NoLossCheck.Report report = NoLossCheck.verify(log, List.of(postgres));
            assertThat(report.violations()).hasSize(1);
            assertThat(report.violations().get(0))
                    .startsWith("users " + lastUserWrite.key() + " on pg-crash")
                    .endsWith("found no row");
        }
    }
}
