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
 * {@code shardctl query} and {@code shardctl tx} on two real PostgreSQL shards. Query: ownership from the topology topic (refused, naming
 * {@code --offline}, when the topic has no state), text and JSON answers with parameters, a statement whose merge
 * would not be exact refused as bad usage, a copy of a running move counted once, and no password printed. Tx: the
 * branches a coordinator left prepared are listed with their decision, and recovered by it — an old one without a
 * decision rolled back, a young one left alone until its age is reached.
 */
class ShardctlCrossShardIT {
    private static Testbed testbed;
    private static Topology topology;
    private static Path topologyFile;

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).start();
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
