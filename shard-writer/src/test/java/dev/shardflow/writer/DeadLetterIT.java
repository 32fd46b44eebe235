package dev.shardflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.writer.dlq.DeadLetter;
import dev.shardflow.writer.dlq.DeadLetterReplay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant 5 for writers: changes that can never apply — a table the target lacks, a value too long for its
 * column, a value of the wrong type, a check constraint, bytes that are no change event — go to the dead-letter
 * topic with their reason and coordinates, and the changes after them are applied.
 */
class DeadLetterIT {
    private static Testbed testbed;
    private static Topology topology;
    private static ApplyTopics topics;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
        topics = new ApplyTopics(testbed.kafka());
    }

    @AfterAll
    static void stop() {
        if (topics != null) {
            topics.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    static Stream<String> shards() {
        return Stream.of("pg1", "maria1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shards")
    void poisonGoesToTheDeadLetterTopicWithItsReasonAndTheRestIsApplied(String shardId) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.id().equals(shardId)).findFirst().orElseThrow();
        String topic = "sf.shop.apply." + shardId;
        topics.create(topic, 1); // one partition: the order of good and bad changes is the order written
        long[] position = {1_000};
        topics.send(topic, List.of(user(1, "alice", position)));
        topics.send(topic, List.of(change("coupons", Map.of("id", 7L, "code", "XMAS"), position)));
        topics.send(topic, List.of(user(2, "b".repeat(80), position)));
        topics.send(topic, List.of(user(3, "carol", position)));
        topics.sendRaw(topic, "garbage".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> wrongType = userRow(4, "dave");
        wrongType.put("version", "not-a-number");
        topics.send(topic, List.of(change("users", wrongType, position)));
        topics.send(topic, List.of(change("orders", Map.of("id", 9L, "user_id", 3L, "order_date", "2024-05-01",
                "status", "lost", "version", 1L), position)));
        topics.send(topic, List.of(user(5, "erin", position)));
        ChangeEvent frank = user(6, "frank", position);
        topics.send(topic, List.of(new ChangeEvent("other", "users", Op.CREATE, frank.key(), null, frank.after(), 6L,
                frank.source(), 1)));
        ChangeEvent grace = user(7, "grace", position);
        topics.send(topic, List.of(new ChangeEvent("shop", "users", Op.CREATE, grace.key(), null, grace.after(), 8L,
                grace.source(), 1)));

        WriterOptions options = WriterOptions.defaults(topology, shardId, testbed.kafka().bootstrapServers());
        try (WriterService writer = new WriterService(options).start()) {
            await("every change handled").atMost(Duration.ofSeconds(60))
                    .until(() -> topics.caughtUp(options.groupId(), topic));
            assertThat(writer.meters().deadLettered()).isEqualTo(7);
        }

        assertThat(TableChecksum.read(shard, "users").keySet()).containsExactlyInAnyOrder(1L, 3L, 5L);
        assertThat(TableChecksum.read(shard, "orders")).isEmpty();

        List<Map<String, String>> letters = topics.readAll("sf.shop.dlq").stream()
                .filter(r -> topic.equals(header(r, "source.topic"))).map(DeadLetterIT::headers).toList();
        assertThat(letters).hasSize(7);
        assertThat(letters).allSatisfy(letter -> {
            assertThat(letter).containsKeys("reason", "exception", "source.partition", "source.offset");
            assertThat(letter.get("component")).isEqualTo("shard-writer " + shardId);
        });
        assertThat(letters.get(0)).containsEntry("table", "coupons").containsEntry("source.offset", "1")
                .containsEntry("source.shard", "src");
        assertThat(letters.get(0).get("reason")).contains("table coupons is not in keyspace shop");
        assertThat(letters.get(1).get("reason")).containsIgnoringCase("too long");
        assertThat(letters.get(1).get("source.position")).isNotBlank();
        assertThat(letters.get(2).get("reason")).contains("not a change event");
        assertThat(letters.get(2)).containsEntry("source.offset", "4").doesNotContainKey("table");
        assertThat(letters.get(3).get("reason")).contains("column version", "'not-a-number' does not convert");
        assertThat(letters.get(4).get("reason")).containsPattern("(?i)check constraint|CONSTRAINT `orders.status` failed");
        assertThat(letters.get(4)).containsEntry("table", "orders");
        assertThat(letters.get(5).get("reason")).contains("names keyspace 'other'");
        assertThat(letters.get(5)).containsEntry("table", "users").containsEntry("source.shard", "src");
        assertThat(letters.get(6).get("reason")).contains("shardKey is 8, but the row's id is 7");
    }

    @Test
    void replayedDeadLettersApplyOnceFixedAndTheOthersComeBackWithTheirNewReason() throws Exception {
        DatabaseShard shard = testbed.postgres().get(0);
        String topic = "sf.shop.apply." + shard.id() + ".dlq-replay";
        topics.create(topic, 1);
        long[] position = {50_000};
        Map<String, Object> drifted = product(501, "Lamp");
        drifted.put("color", "teal"); // a column the source has and the target does not, yet
        topics.send(topic, List.of(change("products", drifted, position)));
        topics.send(topic, List.of(change("vouchers", Map.of("id", 1L, "code", "V1"), position)));
        topics.send(topic, List.of(change("products", product(502, "Mug"), position)));
        WriterOptions options = WriterOptions.defaults(topology, shard.id(), testbed.kafka().bootstrapServers())
                .withTopics(List.of(topic)).withGroupId("dlq-replay-it");
        Predicate<DeadLetter> ours = letter -> topic.equals(letter.sourceTopic());
        DeadLetterReplay replay = new DeadLetterReplay(testbed.kafka().connection(), "sf.shop.dlq", "sf.shop",
                "dlq-replay-it-tool");
        try (WriterService writer = new WriterService(options).start()) {
            await("both bad changes dead-lettered").atMost(Duration.ofSeconds(60))
                    .until(() -> writer.meters().deadLettered() == 2);
            assertThat(TableChecksum.read(shard, "products")).containsKey(502L).doesNotContainKey(501L);
            assertThat(replay.list(1_000).stream().filter(ours).map(DeadLetter::reason).toList())
                    .anySatisfy(reason -> assertThat(reason).contains("color"))
                    .anySatisfy(reason -> assertThat(reason).contains("vouchers"));

            shard.execute("ALTER TABLE products ADD COLUMN color VARCHAR(20)"); // the operator's fix
            DeadLetterReplay.Result result = replay.replay(ours);
            assertThat(result.replayed()).isEqualTo(2);

            await("the fixed change applied").atMost(Duration.ofSeconds(60))
                    .until(() -> TableChecksum.read(shard, "products").containsKey(501L));
            await("the unfixed one back in the dead-letter topic").atMost(Duration.ofSeconds(60))
                    .until(() -> writer.meters().deadLettered() == 3);
        }
        assertThat(TableChecksum.read(shard, "products").get(501L)).containsEntry("color", "teal");
        List<DeadLetter> again = replay.list(1_000).stream().filter(ours).toList();
        assertThat(again).as("only what failed again, once, from the replayed record").singleElement()
                .satisfies(letter -> {
                    assertThat(letter.headers()).containsEntry("table", "vouchers");
                    assertThat(letter.reason()).contains("table vouchers is not in keyspace shop");
                    assertThat(letter.sourceOffset()).isEqualTo(4L);
                });
        assertThat(replay.replay(ours).replayed()).as("a second run re-drives only the letter that came back")
                .isEqualTo(1);
    }

    private static Map<String, Object> product(long id, String name) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("category", "home");
        row.put("price", 10.5);
        row.put("created_at", "2024-05-01T10:00:00");
        row.put("version", 1L);
        return row;
    }

    private static ChangeEvent user(long id, String username, long[] position) {
        return change("users", userRow(id, username), position);
    }

    private static Map<String, Object> userRow(long id, String username) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("username", username);
        row.put("email", username + "@example.com");
        row.put("country", "DE");
        row.put("created_at", "2024-05-01T10:00:00");
        row.put("version", 1L);
        return row;
    }

    private static ChangeEvent change(String table, Map<String, Object> row, long[] position) {
        position[0] += 64;
        Object shardKey = switch (table) {
            case "users" -> row.get("id");
            case "orders" -> row.get("user_id");
            default -> null;
        };
        return new ChangeEvent("shop", table, Op.CREATE, Map.of("id", row.get("id")), null, row, shardKey,
                new Source("src", new PostgresLsn(position[0]), null, 0), 1);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
