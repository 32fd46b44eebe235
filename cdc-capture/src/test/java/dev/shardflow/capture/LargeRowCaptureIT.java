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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rows of 1 KB and 5 MB reach their change topic whole, on PostgreSQL and MariaDB, under a keyspace limit of 8 MiB;
 * a row of 9 MB goes to the dead-letter topic with its key, its size and the limit and no payload, and capture goes
 * on with the next row.
 */
class LargeRowCaptureIT {
    private static final long LIMIT = 8L * 1024 * 1024;
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

    private static void insertUser(DatabaseShard shard, long id, int emailBytes) {
        String email = "x".repeat(emailBytes);
        shard.execute("INSERT INTO users (id, username, email, created_at, version) VALUES (" + id + ", 'u" + id
                + "', '" + email + "', '2025-01-01 10:00:00', 1)");
    }

    private static Optional<ChangeEvent> captured(ChangeTopicReader reader, long id) {
        return reader.poll().stream().map(ChangeTopicReader.Entry::event).filter(Objects::nonNull)
                .filter(e -> Long.valueOf(id).equals(e.key().get("id"))).findFirst();
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"POSTGRESQL", "MARIADB"})
    void rowsUpToTheLimitArriveWholeAndALargerOneIsDeadLetteredWithItsSize(Engine engine) {
        DatabaseShard shard = shard(engine);
        shard.execute(engine == Engine.POSTGRESQL ? "ALTER TABLE users ALTER COLUMN email TYPE TEXT"
                : "ALTER TABLE users MODIFY email LONGTEXT");
        long base = engine == Engine.POSTGRESQL ? 10_000 : 20_000;
        Topology topology = ShopTopology.of(List.of(shard)).withMaxRowBytes(LIMIT);
        String kafka = testbed.kafka().bootstrapServers();
        CaptureOptions options = CaptureOptions.defaults(topology, kafka).withReplicationFactor(1);
        try (CaptureService capture = new CaptureService(options).start();
                ChangeTopicReader reader = new ChangeTopicReader(kafka, List.of("sf.shop.cdc.users"))) {
            insertUser(shard, base + 1, 1_000);
            insertUser(shard, base + 2, 5_000_000);
            insertUser(shard, base + 3, 9_000_000);
            insertUser(shard, base + 4, 10);

            await("the row after the one over the limit").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500)).until(() -> captured(reader, base + 4).isPresent());
            // lengths only: a failure message with a 5 MB value in it helps nobody
            assertThat(captured(reader, base + 1).map(e -> ((String) e.after().get("email")).length())).hasValue(1_000);
            assertThat(captured(reader, base + 2).map(e -> ((String) e.after().get("email")).length()))
                    .hasValue(5_000_000);
            assertThat(captured(reader, base + 3).isPresent()).as("the row over the limit is in its change topic")
                    .isFalse();

            ConsumerRecord<byte[], byte[]> letter = await("its dead letter").atMost(Duration.ofSeconds(30))
                    .until(() -> deadLetterOf(kafka, base + 3), Optional::isPresent).orElseThrow();
            assertThat(letter.value()).as("no payload").isNull();
            assertThat(header(letter, "row.maxBytes")).isEqualTo(Long.toString(LIMIT));
            assertThat(Long.parseLong(header(letter, "row.bytes"))).isGreaterThan(9_000_000);
            assertThat(header(letter, "reason")).startsWith("row too large: ").contains("maxRowBytes (" + LIMIT + ")");
            assertThat(header(letter, "table")).isEqualTo("users");
            assertThat(header(letter, "source.topic")).isEqualTo("sf.shop.cdc.users");
            assertThat(capture.shard(shard.id()).state()).isEqualTo(ShardCapture.State.RUNNING);
        }
    }

    private static Optional<ConsumerRecord<byte[], byte[]>> deadLetterOf(String kafka, long id) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("sf.shop.dlq"));
            for (int i = 0; i < 10; i++) {
                consumer.poll(Duration.ofMillis(500)).forEach(letters::add);
            }
        }
        return letters.stream().filter(l -> header(l, "row.key") != null
                && header(l, "row.key").contains("\"id\":" + id)).findFirst();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
