package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.TopologyApi;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.topology.TopologyServiceOptions;
import dev.shardflow.topology.api.ApiServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code shardctl query}, {@code shardctl topology show --rows} and {@code shardctl tx} on two real PostgreSQL
 * shards and a MariaDB one. Query: ownership from the topology topic (refused, naming {@code --offline}, when the
 * topic has no state), text and JSON answers with parameters, a statement whose merge
 * would not be exact refused as bad usage, a copy of a running move counted once, and no password printed. Topology
 * show --rows: each shard's rows per table as the shards count them, a warning above the share set. Tx: the
 * branches a coordinator left prepared are listed with their decision, and recovered by it — an old one without a
 * decision rolled back, a young one left alone until its age is reached.
 */
class ShardctlCrossShardIT {
    private static Testbed testbed;
    private static Topology topology;
    private static Path topologyFile;

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
        topologyFile = ShopTopology.writeYaml(topology, Scratch.newDirectory("shardctl-query"));
        for (long id = 1; id <= 50; id++) {
            insertUser(topology.strategy().ownerOf(id), id);
        }
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void queriesRunAcrossShardsFromTheCommandLine() throws Exception {
        String[] where = {"--topology", topologyFile.toString(), "--kafka", testbed.kafka().bootstrapServers(),
            "--kafka-timeout", "10"};
        testbed.kafka().createTopic(TopicNames.of(topology).topology(), 1, 1, Map.of("cleanup.policy", "compact"));
        ShardctlRun noState = ShardctlRun.of(ShardctlRun.args(new String[] {"query", "SELECT COUNT(*) FROM users"},
                where));
        assertThat(noState.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(noState.err()).contains("no state of keyspace shop").contains("--offline");

        ShardctlRun offline = ShardctlRun.of(ShardctlRun.args(new String[] {"query", "--offline", "--output", "json",
            "SELECT COUNT(*) AS users FROM users"}, where));
        assertThat(offline.exit()).as(offline.err()).isEqualTo(ExitCodes.OK);
        assertThat(offline.json().get("rows").get(0).get(0).asLong()).isEqualTo(50);
        assertThat(offline.json().get("ownership").asText()).isEqualTo("topology file");

        String document = Files.readString(topologyFile);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            publish(producer, TopologyState.steady("shop", document));
            ShardctlRun text = ShardctlRun.of(ShardctlRun.args(new String[] {"query",
                "SELECT id, email FROM users WHERE id > ? ORDER BY email LIMIT 3", "40"}, where));
            assertThat(text.exit()).as(text.err()).isEqualTo(ExitCodes.OK);
            // by code point: user41 .. user49 and user50; the first three are user41, user42, user43
            assertThat(text.out()).contains("id  email").contains("41  user41@example.com")
                    .contains("43  user43@example.com").doesNotContain("user44").contains("3 row(s), epoch "
                            + topology.epoch()).contains("merge: rows:");

            ShardctlRun refused = ShardctlRun.of(ShardctlRun.args(new String[] {"query",
                "SELECT SUM(id) / COUNT(*) FROM users"}, where));
            assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(refused.err()).contains("the statement is refused").contains("combines aggregates");

            // a move from pg1 to pg2 is running and pg2 already holds copies of the moving rows
            String both = topology.strategy().shards().get(0);
            String moved = topology.strategy().shards().get(1);
            Topology onlySecond = topologyWithOneShard(moved);
            long copies = 0;
            for (long id = 1; id <= 50; id++) {
                if (topology.strategy().ownerOf(id).equals(both)) {
                    insertUser(moved, id);
                    copies++;
                }
            }
            String target = Files.readString(ShopTopology.writeYaml(onlySecond,
                    Scratch.newDirectory("shardctl-query-target")));
            publish(producer, new TopologyState("shop", document, target, TopologyState.Phase.FORWARD, "r-1"));
            ShardctlRun during = ShardctlRun.of(ShardctlRun.args(new String[] {"query", "--output", "json",
                "SELECT COUNT(*) FROM users"}, where));
            assertThat(during.exit()).as(during.err()).isEqualTo(ExitCodes.OK);
            JsonNode answer = during.json();
            assertThat(answer.get("rows").get(0).get(0).asLong()).isEqualTo(50);
            assertThat(answer.get("rebalancing").asBoolean()).isTrue();
            assertThat(answer.get("shards").get(moved).get("notOwned").asLong()).isEqualTo(copies);

            for (ShardctlRun run : List.of(noState, offline, text, refused, during)) {
                for (DatabaseShard shard : testbed.shards()) {
                    assertThat(run.out() + run.err()).doesNotContain(shard.password());
                }
            }
        }
    }

    @Test
    void branchesLeftPreparedAreListedAndRecoveredByTheDecisionLog() throws Exception {
        String[] where = {"--topology", topologyFile.toString(), "--offline"};
        long old = System.currentTimeMillis() - 600_000;
        String abandoned = "sf1-" + Long.toHexString(old) + "-00000000000000b1";
        String young = "sf1-" + Long.toHexString(System.currentTimeMillis()) + "-00000000000000b2";
        prepare("pg1", abandoned + "@pg2", 7);
        prepare("pg1", young + "@pg2", 8);

        ShardctlRun list = ShardctlRun.of(ShardctlRun.args(new String[] {"tx", "list", "--output", "json"}, where));
        assertThat(list.exit()).as(list.err()).isEqualTo(ExitCodes.OK);
        assertThat(list.json()).hasSize(2);
        assertThat(list.json().findValuesAsText("transaction")).containsExactlyInAnyOrder(abandoned, young);

        ShardctlRun recover = ShardctlRun.of(ShardctlRun.args(new String[] {"tx", "recover"}, where));
        assertThat(recover.exit()).as("one is left: exit 1").isEqualTo(ExitCodes.FAILED);
        assertThat(recover.out()).contains("0 branch(es) committed, 1 rolled back, 1 left (younger than --min-age)");
        ShardctlRun now = ShardctlRun.of(ShardctlRun.args(new String[] {"tx", "recover", "--min-age", "0"}, where));
        assertThat(now.exit()).as(now.out() + now.err()).isEqualTo(ExitCodes.OK);
        ShardctlRun empty = ShardctlRun.of(ShardctlRun.args(new String[] {"tx", "list"}, where));
        assertThat(empty.out()).contains("0 prepared branch(es)");
        for (ShardctlRun run : List.of(list, recover, now, empty)) {
            for (DatabaseShard shard : testbed.shards()) {
                assertThat(run.out() + run.err()).doesNotContain(shard.password());
            }
        }
    }

    @Test
    void topologyShowRowsCountsEachShardsRowsAndWarnsAboveTheShareSet() throws Exception {
        // a keyspace of its own over the same shards, so that its service publishes its state beside the other test's
        Topology rows = new Topology("rows", 1, "sf.rows", topology.tables(), topology.shards(), topology.strategy());
        String document = Files.readString(ShopTopology.writeYaml(rows, Scratch.newDirectory("shardctl-rows")));
        String crowded = topology.strategy().shards().get(0);
        for (long order = 9_001; order <= 9_020; order++) {
            long owner = java.util.stream.LongStream.rangeClosed(1, 50)
                    .filter(id -> topology.strategy().ownerOf(id).equals(crowded)).findFirst().orElseThrow();
            shard(crowded).execute("INSERT INTO orders (id, user_id, order_date, total_amount, status, username, "
                    + "version) VALUES (" + order + ", " + owner + ", DATE '2026-01-01', 10.00, 'pending', 'u', 1)");
        }
        Path token = Scratch.newDirectory("shardctl-rows-token").resolve("api.token");
        Files.writeString(token, "rows-token-5c1e\n");
        try (TopologyService service = new TopologyService(TopologyServiceOptions.defaults(document,
                testbed.kafka().bootstrapServers()).withReplicationFactor(1).withInstanceId("rows"),
                new SimpleMeterRegistry()).start()) {
            org.awaitility.Awaitility.await("leading").atMost(java.time.Duration.ofSeconds(30))
                    .until(service::leading);
            try (ApiServer api = new ApiServer("127.0.0.1", 0, new TopologyApi(service), "rows-token-5c1e",
                    () -> "").start()) {
                String[] where = {"--api", "http://127.0.0.1:" + api.port(), "--token-file", token.toString()};
                ShardctlRun json = ShardctlRun.of(ShardctlRun.args(new String[] {"topology", "show", "--rows",
                    "--max-share", "60", "--output", "json"}, where));
                assertThat(json.exit()).as(json.err()).isEqualTo(ExitCodes.OK);
                for (DatabaseShard shard : testbed.shards()) {
                    JsonNode counted = null;
                    for (JsonNode each : json.json().get("shards")) {
                        if (each.get("shard").asText().equals(shard.id())) {
                            counted = each;
                        }
                    }
                    assertThat(counted).as(shard.id()).isNotNull();
                    for (String table : List.of("users", "orders", "products")) {
                        assertThat(counted.get("rows").get(table).asLong()).as(shard.id() + " " + table)
                                .isEqualTo(shard.count(table));
                    }
                }
                assertThat(json.json().get("evenShare").asDouble()).isCloseTo(1.0 / 3,
                        org.assertj.core.data.Offset.offset(1e-9));
                assertThat(json.json().get("shares").get(crowded).get("orders").asDouble()).isEqualTo(1.0);
                assertThat(json.json().get("shares").get(crowded).has("products")).as("reference: no share").isFalse();
                assertThat(json.json().get("warnings").toString()).contains("shard " + crowded + " holds 100.0 % of "
                        + "the rows of orders (20 of 20), above the 60 % set");

                ShardctlRun text = ShardctlRun.of(ShardctlRun.args(new String[] {"topology", "show", "--rows"},
                        where));
                assertThat(text.exit()).as(text.err()).isEqualTo(ExitCodes.OK);
                assertThat(text.out()).contains("an even share is 33.3 %; warning above 30 %")
                        .contains("WARNING: shard " + crowded + " holds 100.0 % of the rows of orders")
                        .contains("note: with 3 shards an even share (33.3 %) is above the 30 % set")
                        .contains("products (ref)");
                ShardctlRun bad = ShardctlRun.of(ShardctlRun.args(new String[] {"topology", "show", "--rows",
                    "--max-share", "0"}, where));
                assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
                assertThat(bad.err()).contains("--max-share must be above 0");
                for (ShardctlRun run : List.of(json, text, bad)) {
                    for (DatabaseShard shard : testbed.shards()) {
                        assertThat(run.out() + run.err()).doesNotContain(shard.password());
                    }
                }
            }
        } finally {
            shard(crowded).execute("DELETE FROM orders WHERE id BETWEEN 9001 AND 9020");
        }
    }

    private static DatabaseShard shard(String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private static void prepare(String shardId, String gid, long user) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.id().equals(shardId)).findFirst().orElseThrow();
        try (Connection connection = shard.connect(); java.sql.Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("UPDATE users SET version = version + 1 WHERE id = " + user);
            statement.execute("PREPARE TRANSACTION '" + gid + "'");
        }
    }

    private static Topology topologyWithOneShard(String shard) {
        return ShopTopology.of(testbed.shards(), HashRing.builder().shards(List.of(shard)).build(),
                topology.epoch() + 1);
    }

    private static void insertUser(String shardId, long id) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.id().equals(shardId)).findFirst().orElseThrow();
        try (Connection connection = shard.connect(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO users (id, username, email, country, created_at, version) "
                        + "VALUES (?, ?, ?, 'DE', now(), 1)")) {
            insert.setLong(1, id);
            insert.setString(2, "user" + id);
            insert.setString(3, "user" + id + "@example.com");
            insert.executeUpdate();
        }
    }

    private static void publish(KafkaProducer<byte[], byte[]> producer, TopologyState state) throws Exception {
        producer.send(new ProducerRecord<>(TopicNames.of(topology).topology(), "shop".getBytes(StandardCharsets.UTF_8),
                state.toBytes())).get(10, TimeUnit.SECONDS);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, testbed.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
