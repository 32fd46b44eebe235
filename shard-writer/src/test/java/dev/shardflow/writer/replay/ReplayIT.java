package dev.shardflow.writer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.RowSetChecksum;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.workload.NoLossCheck;
import dev.shardflow.testkit.workload.Workload;
import dev.shardflow.jdbc.RowImage;
import dev.shardflow.jdbc.RowReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL shard and a MariaDB shard lose all their data (the schema dropped and created again) and are rebuilt
 * from the change topics while an application keeps writing to the other shards and capture keeps running: each
 * ends with the checksum it had before the loss, every write acknowledged during the replay is in place, the rebuilt
 * shards take writes again afterwards, and a second replay changes nothing.
 */
class ReplayIT {
    private static final Logger log = LoggerFactory.getLogger(ReplayIT.class);
    private static final long SECOND_WORKLOAD_IDS = 1_000_000;

    private static Testbed testbed;
    private static Topology topology;
    private static CaptureService capture;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(2).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
        capture = new CaptureService(CaptureOptions.defaults(topology, testbed.kafka().bootstrapServers())).start();
    }

    @AfterAll
    static void stop() {
        if (capture != null) {
            capture.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void rebuiltShardsHaveTheirChecksumsBackAndLoseNoWriteMadeDuringTheReplay() throws Exception {
        try (Workload before = Workload.builder(testbed.shards()).router(topology.strategy()::ownerOf)
                .writesPerSecond(300).firstId(1).seed(7).build().start()) {
            Thread.sleep(8_000);
        }
        List<DatabaseShard> lost = List.of(testbed.postgres().get(0), testbed.mariadb().get(0));
        Map<String, Map<String, RowSetChecksum>> checksums = new TreeMap<>();
        Map<String, Map<String, Long>> usersBefore = new TreeMap<>();
        for (DatabaseShard shard : lost) {
            awaitCaptured(shard, "before-loss");
            checksums.put(shard.id(), checksums(shard, id -> true));
            usersBefore.put(shard.id(), rows(shard, "users"));
            log.info("{} before the loss: {}", shard.id(), checksums.get(shard.id()));
            assertThat(checksums.get(shard.id()).get("users").rows()).isPositive();
            assertThat(checksums.get(shard.id()).get("order_items").rows()).isPositive();
        }

        capture.close(); // the lost tables are recreated, and capture started again to capture the new ones
        for (DatabaseShard shard : lost) {
            loseEverything(shard);
            assertThat(checksums(shard, id -> true).get("users").rows()).isZero();
        }
        capture = new CaptureService(CaptureOptions.defaults(topology, testbed.kafka().bootstrapServers())).start();

        // the lost shards take no writes until they are rebuilt; the others do, all along
        List<DatabaseShard> live = testbed.shards().stream().filter(s -> !lost.contains(s)).toList();
        Workload during = Workload.builder(live).writesPerSecond(100).firstId(SECOND_WORKLOAD_IDS).seed(11).build()
                .start();
        for (DatabaseShard shard : lost) {
            ReplayReport report = new ShardReplay(ReplayOptions.defaults(topology, shard.id(),
                    testbed.kafka().bootstrapServers())).run(progress -> { });
            log.info("replay of {}: {}", shard.id(), report);
            assertThat(report.applied()).isPositive();
            assertThat(report.clean()).as(report.sample().toString()).isTrue();
            assertThat(report.applicationWrites()).as("the copy's own writes are not taken for the application's")
                    .isZero();
            assertThat(report.rowsChecked()).isGreaterThanOrEqualTo(checksums.get(shard.id()).get("users").rows());
        }
        during.stop();

        for (DatabaseShard shard : lost) {
            assertThat(rows(shard, "users")).as("%s users before and after", shard.id())
                    .isEqualTo(usersBefore.get(shard.id()));
            assertThat(checksums(shard, id -> true)).as("%s after the replay", shard.id())
                    .isEqualTo(checksums.get(shard.id()));
        }
        NoLossCheck.Report writes = NoLossCheck.verify(during.writeLog(), testbed.shards());
        log.info("writes during the replay: {}", writes);
        assertThat(writes.rowsChecked()).isPositive();
        assertThat(writes.violations()).as("writes acknowledged during the replay").isEmpty();

        try (Workload after = Workload.builder(testbed.shards()).router(topology.strategy()::ownerOf)
                .writesPerSecond(100).firstId(2 * SECOND_WORKLOAD_IDS).seed(13).build().start()) {
            Thread.sleep(2_000);
            after.stop();
            assertThat(NoLossCheck.verify(after.writeLog(), testbed.shards()).violations())
                    .as("writes to the rebuilt shards after the replay").isEmpty();
            assertThat(after.stats(lost.get(0).id()).acknowledged()).isPositive();
            assertThat(after.stats(lost.get(1).id()).acknowledged()).isPositive();
        }

        DatabaseShard again = lost.get(0);
        awaitCaptured(again, "before-second-replay");
        Map<String, RowSetChecksum> once = checksums(again, id -> true);
        ReplayReport second = new ShardReplay(ReplayOptions.defaults(topology, again.id(),
                testbed.kafka().bootstrapServers())).run(progress -> { });
        assertThat(second.clean()).as(second.sample().toString()).isTrue();
        assertThat(checksums(again, id -> true)).as("a second replay changes nothing").isEqualTo(once);
    }

    /** DROP and CREATE: every table and control table of the shard is gone, then the empty tables are back. */
    private static void loseEverything(DatabaseShard shard) {
        if (shard.engine() == Engine.POSTGRESQL) {
            shard.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
        } else {
            shard.execute("DROP DATABASE " + shard.database(), "CREATE DATABASE " + shard.database());
        }
        SampleSchema.applyTo(shard);
        log.info("{}: schema dropped and created again", shard.id());
    }

    /** Waits until capture has put everything the shard committed so far into the change topics. */
    private static void awaitCaptured(DatabaseShard shard, String marker) throws Exception {
        try (Connection connection = shard.connect();
                PreparedStatement insert = connection.prepareStatement(
                        ControlTables.FENCE_INSERT)) {
            insert.setString(1, marker + "-" + shard.id());
            insert.setLong(2, topology.epoch());
            insert.executeUpdate();
        }
        TopicNames names = TopicNames.of(topology);
        for (TableSpec table : topology.tables()) {
            try (LogReader reader = new LogReader(testbed.kafka().connection(), names.cdc(table.name()), topology,
                    "replay-it", 1_000, LogReader.Reading.ENVELOPE)) {
                reader.seek(ReplayStart.beginning());
                reader.readToMarker(shard.id(), id -> id.equals(marker + "-" + shard.id()),
                        System.nanoTime() + Duration.ofSeconds(60).toNanos(), (record, event, unreadable) -> { });
            }
        }
    }

    private static Map<String, Long> rows(DatabaseShard shard, String table) throws Exception {
        Map<String, Long> rows = new TreeMap<>();
        try (Connection connection = RowReader.prepare(shard.connect(), topology.shard(shard.id()).orElseThrow())) {
            new RowReader(topology.shard(shard.id()).orElseThrow(), topology.table(table).orElseThrow(), topology)
                    .read(connection, null, null).forEach(row -> rows.put(row.key(), row.hash()));
        }
        return rows;
    }

    /** Per table, the checksum of the rows whose first key column passes {@code ids}. */
    private static Map<String, RowSetChecksum> checksums(DatabaseShard shard, Predicate<Long> ids) throws Exception {
        Map<String, RowSetChecksum> sums = new TreeMap<>();
        try (Connection connection = RowReader.prepare(shard.connect(), topology.shard(shard.id()).orElseThrow())) {
            for (TableSpec table : topology.tables()) {
                RowSetChecksum sum = RowSetChecksum.EMPTY;
                RowReader reader = new RowReader(topology.shard(shard.id()).orElseThrow(), table, topology);
                for (RowImage row : reader.read(connection, null, null)) {
                    if (ids.test(((Number) row.keyValues().get(0)).longValue())) {
                        sum = sum.plus(new RowSetChecksum(1, row.hash()));
                    }
                }
                sums.put(table.name(), sum);
            }
        }
        return sums;
    }
}
