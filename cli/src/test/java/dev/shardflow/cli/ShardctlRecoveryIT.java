package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code shardctl replay} and {@code shardctl dlq} against a real broker and a real PostgreSQL shard: a view's table
 * rebuilt from its topic (a shard's replay is {@code ReplayIT}'s) and a dead letter listed, shown and sent back to its
 * topic; with their bad-input paths — an unknown shard, a malformed time, both targets at once, an unknown letter, an
 * unreachable Kafka — and exit codes.
 */
class ShardctlRecoveryIT {
    private static Testbed testbed;
    private static Topology topology;
    private static Path topologyFile;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).start();
        DatabaseShard shard = testbed.postgres().get(0);
        SampleSchema.applyTo(shard);
        shard.execute("CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username "
                + "VARCHAR(50), email VARCHAR(100), country CHAR(2), total_amount DECIMAL(10,2), status VARCHAR(20))");
        topology = ShopTopology.withViews(ShopTopology.of(testbed.shards()));
        topologyFile = ShopTopology.writeYaml(topology, Scratch.newDirectory("shardctl-recovery"));
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    private static String kafka() {
        return testbed.kafka().bootstrapServers();
    }

    @Test
    void aViewIsReplayedFromTheCommandLine() throws Exception {
        String topic = "sf.shop.view.order_user_view";
        testbed.kafka().createTopic(topic, 3, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long order = 1; order <= 40; order++) {
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("order_id", order);
                row.put("user_id", order);
                row.put("username", "user" + order);
                ChangeEvent change = new ChangeEvent("shop", "order_user_view", Op.UPDATE, Map.of("order_id", order),
                        null, row, order, new Source("pg1", new PostgresLsn(1_000 + order * 64), null, 0), 0);
                producer.send(new ProducerRecord<>(topic, TableRowKey.of(change).toBytes(), EventJson.toBytes(change)))
                        .get();
            }
        }
        ShardctlRun replay = ShardctlRun.of("replay", "--view", "order_user_view", "--target", "pg1", "--topology",
                topologyFile.toString(), "--kafka", kafka());
        assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
        assertThat(replay.out()).contains("pg1: 40 changes applied", "40 rows compared, 0 mismatch(es)");
        assertThat(replay.out() + replay.err()).doesNotContain(testbed.postgres().get(0).password());

        ShardctlRun json = ShardctlRun.of("replay", "--view", "order_user_view", "--target", "pg1", "--topology",
                topologyFile.toString(), "--kafka", kafka(), "--output", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        assertThat(json.json().path("rowsChecked").asLong()).isEqualTo(40);
        assertThat(json.json().path("mismatches").asLong()).isZero();

        ShardctlRun unknown = ShardctlRun.of("replay", "--shard", "s9", "--topology", topologyFile.toString(), "--kafka", kafka());
        assertThat(unknown.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err()).contains("no shard s9", "pg1");

        ShardctlRun badTime = ShardctlRun.of("replay", "--shard", "pg1", "--since", "yesterday", "--topology",
                topologyFile.toString(), "--kafka", kafka());
        assertThat(badTime.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(badTime.err()).contains("--since", "ISO-8601");

        ShardctlRun both = ShardctlRun.of("replay", "--shard", "pg1", "--view", "order_user_view", "--topology",
                topologyFile.toString());
        assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
        ShardctlRun noTarget = ShardctlRun.of("replay", "--view", "order_user_view", "--topology", topologyFile.toString());
        assertThat(noTarget.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(noTarget.err()).contains("--target");
    }

    @Test
    void deadLettersAreListedShownAndSentBack() throws Exception {
        String apply = "sf.shop.apply.pg1";
        testbed.kafka().createTopic(apply, 1, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>("sf.shop.dlq", "k".getBytes(),
                    "{\"not\": \"a change\"}".getBytes(StandardCharsets.UTF_8));
            letter.headers().add("reason", "not a change event".getBytes(StandardCharsets.UTF_8))
                    .add("component", "shard-writer pg1".getBytes(StandardCharsets.UTF_8))
                    .add("source.topic", apply.getBytes(StandardCharsets.UTF_8))
                    .add("source.partition", "0".getBytes(StandardCharsets.UTF_8));
            producer.send(letter).get();
        }
        String[] where = {"--topology", topologyFile.toString(), "--kafka", kafka()};

        ShardctlRun list = ShardctlRun.of(ShardctlRun.args(new String[] {"dlq", "list"}, where));
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("shard-writer pg1", apply, "not a change event", "1 dead letter(s)");
        String at = list.out().lines().filter(l -> l.contains(apply)).findFirst().orElseThrow().split(" ")[0];
        ShardctlRun listed = ShardctlRun.of(ShardctlRun.args(new String[] {"dlq", "list", "--output", "json"}, where));
        assertThat(listed.json().get(0).path("at").asText()).isEqualTo(at);
        assertThat(listed.json().get(0).path("reason").asText()).isEqualTo("not a change event");
        assertThat(listed.json().get(0).path("payload").asText()).isEqualTo("{\"not\": \"a change\"}");

        ShardctlRun show = ShardctlRun.of(ShardctlRun.args(new String[] {"dlq", "show", at}, where));
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("reason: not a change event", "{\"not\": \"a change\"}");
        assertThat(ShardctlRun.of(ShardctlRun.args(new String[] {"dlq", "show", "x"}, where)).err()).contains("PARTITION@OFFSET");

        ShardctlRun replay = ShardctlRun.of(ShardctlRun.args(new String[] {"dlq", "replay", "--source-topic", apply}, where));
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("1 sent back");
        assertThat(recordsIn(apply)).isEqualTo(1);

        ShardctlRun unreachable = ShardctlRun.of("dlq", "list", "--topology", topologyFile.toString(), "--kafka", "127.0.0.1:1",
                "--kafka-timeout", "3");
        assertThat(unreachable.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(unreachable.err()).contains("Kafka cannot be reached");
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static long recordsIn(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
        }
    }
}
