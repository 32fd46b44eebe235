package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A source killed under a running capture and started again: capture restarts its engine alone, from its last
 * committed position, and a row written after the source came back reaches its change topic. A source that stays
 * down exhausts the restarts, and the shard stays FAILED saying why. A source already down when capture starts holds
 * back only its own shard, which starts once the source is back.
 */
class CaptureRecoveryIT {
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    private static DatabaseShard shard(Engine engine) {
        return testbed.shards().stream().filter(s -> s.engine() == engine).findFirst().orElseThrow();
    }

    private static void insertUser(DatabaseShard shard, long id) {
        shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES (" + id + ", 'u" + id
                + "', 'u" + id + "@example.com', '2025-01-01 10:00:00', 1)");
    }

    private static boolean captured(ChangeTopicReader reader, DatabaseShard shard, long id) {
        return reader.poll().stream().map(ChangeTopicReader.Entry::event).filter(Objects::nonNull)
                .filter(e -> e.source().shard().equals(shard.id())).map(ChangeEvent::key)
                .anyMatch(key -> Long.valueOf(id).equals(key.get("id")));
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void aSourceKilledAndStartedAgainIsCapturedAgainWithoutARestartOfCapture(Engine engine) {
        DatabaseShard shard = shard(engine);
        long base = engine == Engine.POSTGRESQL ? 1_000 : 2_000;
        Topology topology = ShopTopology.of(List.of(shard));
        CaptureOptions options = CaptureOptions.defaults(topology, testbed.kafka().bootstrapServers())
                .withRestarts(20, 2_000);
        try (CaptureService capture = new CaptureService(options).start();
                ChangeTopicReader reader = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of("sf.shop.cdc.users"))) {
            insertUser(shard, base + 1);
            await("a row written before the kill").atMost(Duration.ofSeconds(120))
                    .until(() -> captured(reader, shard, base + 1));

            shard.kill();
            ShardCapture shardCapture = capture.shard(shard.id());
            try {
                if (engine == Engine.POSTGRESQL) {
                    // the replication connection ends with the server; MariaDB's binlog client instead tries to
                    // reconnect by itself, quietly, for as long as the server is gone (see the README's known limits)
                    await("capture sees its source gone").atMost(Duration.ofSeconds(120))
                            .until(() -> shardCapture.state() == ShardCapture.State.RETRYING);
                    assertThat(shardCapture.failure()).isNotBlank();
                } else {
                    await("the source down for a while").pollDelay(Duration.ofSeconds(5)).until(() -> true);
                }
            } finally {
                shard.restart();
            }
            insertUser(shard, base + 2);
            await("a row written after the source came back").atMost(Duration.ofSeconds(180))
                    .until(() -> captured(reader, shard, base + 2));
            await("capture running again").atMost(Duration.ofSeconds(60))
                    .until(() -> shardCapture.state() == ShardCapture.State.RUNNING);
            if (engine == Engine.POSTGRESQL) {
                assertThat(shardCapture.restarts()).isPositive();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void aSourceThatStaysDownLeavesItsCaptureFailedWithTheReason(Engine engine) {
        DatabaseShard shard = shard(engine);
        Topology topology = ShopTopology.of(List.of(shard));
        CaptureOptions options = CaptureOptions.defaults(topology, testbed.kafka().bootstrapServers())
                .withRestarts(2, 1_000);
        try (CaptureService capture = new CaptureService(options).start()) {
            ShardCapture shardCapture = capture.shard(shard.id());
            await("capture running").atMost(Duration.ofSeconds(60))
                    .until(() -> shardCapture.state() == ShardCapture.State.RUNNING);
            shard.kill();
            try {
                await("the restarts exhausted").atMost(Duration.ofSeconds(180))
                        .until(() -> shardCapture.state() == ShardCapture.State.FAILED);
                assertThat(shardCapture.failure()).contains("2 restarts");
                assertThat(shardCapture.restarts()).isEqualTo(2);
            } finally {
                shard.restart();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void aSourceDownWhenCaptureStartsHoldsBackOnlyItsOwnShard(Engine engine) {
        DatabaseShard down = shard(engine);
        DatabaseShard up = testbed.shards().stream().filter(s -> s.engine() != engine).findFirst().orElseThrow();
        long base = engine == Engine.POSTGRESQL ? 3_000 : 4_000;
        Topology topology = ShopTopology.of(List.of(down, up));
        down.kill();
        try (CaptureService capture = new CaptureService(CaptureOptions.defaults(topology,
                testbed.kafka().bootstrapServers())).start();
                ChangeTopicReader reader = new ChangeTopicReader(testbed.kafka().bootstrapServers(),
                        List.of("sf.shop.cdc.users"))) {
            ShardCapture waiting = capture.shard(down.id());
            try {
                assertThat(waiting.state()).isEqualTo(ShardCapture.State.RETRYING);
                assertThat(waiting.failure()).contains("source unreachable", down.id().startsWith("pg")
                        ? "jdbc:postgresql" : "jdbc:mariadb");
                insertUser(up, base + 1);
                await("the other shard captured meanwhile").atMost(Duration.ofSeconds(120))
                        .until(() -> captured(reader, up, base + 1));
                assertThat(capture.loops()).filteredOn(loop -> loop.name().equals("capture " + down.id()))
                        .singleElement().satisfies(loop -> assertThat(loop.running()).isFalse());
            } finally {
                down.restart();
            }
            insertUser(down, base + 2);
            await("the shard's capture starts once its source is back").atMost(Duration.ofSeconds(120))
                    .until(() -> waiting.state() == ShardCapture.State.RUNNING);
            await("a row of the shard that was down").atMost(Duration.ofSeconds(120))
                    .until(() -> captured(reader, down, base + 2));
        }
    }
}
