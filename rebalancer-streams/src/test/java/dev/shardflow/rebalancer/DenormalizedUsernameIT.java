package dev.shardflow.rebalancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's denormalized {@code orders.username}, kept online through the real pipeline: capture on a PostgreSQL
 * and a MariaDB shard, the rebalancer's in-place view, and the shards' writers. Orders written with a stale name are
 * corrected, a renamed user's orders follow, and once the names agree the exchange ends.
 */
class DenormalizedUsernameIT {
    private static final int USERS = 40;
    private static Testbed testbed;
    private static Topology topology;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.withViews(ShopTopology.of(testbed.shards()));
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void ordersUsernameFollowsItsUserOnTheOrdersShard() throws Exception {
        String bootstrap = testbed.kafka().bootstrapServers();
        for (long user = 1; user <= USERS; user++) {
            DatabaseShard owner = owner(user);
            execute(owner, "INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + user
                    + ", 'user" + user + "', 'u" + user + "@example.com', 'DE', '2024-05-01 10:00:00', 1)");
            for (long order = user * 10; order < user * 10 + 3; order++) {
                execute(owner, "INSERT INTO orders (id, user_id, order_date, total_amount, status, username, version)"
                        + " VALUES (" + order + ", " + user + ", '2024-05-02', 10.00, 'pending', 'stale', 1)");
            }
        }
        RebalancerOptions rebalancerOptions = RebalancerOptions.defaults(topology, bootstrap).withReplicationFactor(1)
                .withStateDir(Scratch.newDirectory("denormalized").toString());
        List<AutoCloseable> running = new ArrayList<>();
        try {
            running.add(new CaptureService(CaptureOptions.defaults(topology, bootstrap)).start());
            RebalancerService rebalancer = new RebalancerService(rebalancerOptions).start(); // after capture's topics
            running.add(rebalancer);
            for (DatabaseShard shard : testbed.shards()) {
                running.add(new WriterService(WriterOptions.defaults(topology, shard.id(), bootstrap)).start());
            }
            await("every order carries its user's name").atMost(Duration.ofSeconds(120))
                    .until(() -> staleOrders().isEmpty());

            for (long user = 1; user <= USERS; user += 3) {
                execute(owner(user), "UPDATE users SET username = 'renamed" + user + "', version = 2 WHERE id = " + user);
            }
            await("the renamed users' orders follow").atMost(Duration.ofSeconds(120))
                    .until(() -> staleOrders().isEmpty());
            assertThat(usernames()).containsEntry(10L, "renamed1").containsEntry(22L, "user2")
                    .containsEntry(42L, "renamed4");

            long patches = rebalancer.counts().get("patch");
            assertThat(patches).as("one patch per stale order, then per renamed user's order")
                    .isGreaterThanOrEqualTo(USERS * 3 + 14 * 3);
            await("no patch once the names agree").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
                    .until(() -> rebalancer.counts().get("patch") == patches);
            assertThat(capturedOrderColumns(bootstrap)).as("the writers' version columns never reach a change topic")
                    .contains("username").noneMatch(column -> column.startsWith("_sf_"));
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    private static DatabaseShard owner(long userId) {
        String id = topology.strategy().ownerOf(userId);
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    /** Orders whose username differs from their user's, by order id. */
    private static List<Long> staleOrders() throws SQLException {
        List<Long> stale = new ArrayList<>();
        for (DatabaseShard shard : testbed.shards()) {
            try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id"
                            + " WHERE o.username IS NULL OR o.username <> u.username")) {
                while (rows.next()) {
                    stale.add(rows.getLong(1));
                }
            }
        }
        return stale;
    }

    private static Map<Long, String> usernames() throws SQLException {
        Map<Long, String> names = new HashMap<>();
        for (DatabaseShard shard : testbed.shards()) {
            try (Connection connection = shard.connect();
                    PreparedStatement select = connection.prepareStatement("SELECT id, username FROM orders");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    names.put(rows.getLong(1), rows.getString(2));
                }
            }
        }
        return names;
    }

    /** The columns of the orders rows the change topic holds. */
    private static List<String> capturedOrderColumns(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> columns = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor("sf.shop.cdc.orders").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (record.value() != null) {
                        ChangeEvent change = EventJson.fromBytes(record.value());
                        if (change.after() != null) {
                            change.after().keySet().stream().filter(c -> !columns.contains(c)).forEach(columns::add);
                        }
                    }
                });
            }
        }
        return columns;
    }

    private static void execute(DatabaseShard shard, String sql) throws SQLException {
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
