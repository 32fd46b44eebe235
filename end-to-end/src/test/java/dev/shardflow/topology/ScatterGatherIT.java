package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.router.query.QueryResult;
import dev.shardflow.router.query.ScatterQuery;
import dev.shardflow.router.query.ShardQueryException;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.workflow.Planner;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scatter-gather queries through a router on two PostgreSQL shards and one MariaDB shard, each answer checked against
 * the same figure computed from the rows the test wrote: counts and sums, AVG over groups that span shards, the top
 * users (grouped by the shard key) and the top countries (groups across shards) with ORDER BY … LIMIT, an e-mail
 * search with a global order; a shard that fails or times out is named; and while a rebalance runs, and after its
 * cutover, rows held by two shards count once.
 */
class ScatterGatherIT {
    private static final TopicNames TOPICS = new TopicNames("sf.shop");
    private static final List<String> COUNTRIES = List.of("DE", "FR", "JP", "US", "BR");
    private static final List<String> STATUSES = List.of("pending", "processing", "shipped", "delivered");

    private record User(long id, String email, String country) {}

    private record Order(long id, long userId, BigDecimal total, String status) {}

    private static Testbed testbed;
    private static String full;
    private static String shrunk;
    private static String fullAgain;
    private static final List<User> users = new ArrayList<>();
    private static final List<Order> orders = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        testbed.kafka().createTopic(TOPICS.topology(), 1, 1, Map.of("cleanup.policy", "compact"));
        testbed.kafka().createTopic(TOPICS.routers(), 1, 1, Map.of());
        full = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()),
                Scratch.newDirectory("scatter")));
        shrunk = Planner.plan(full, new Planner.Request(null, List.of("pg2"), null, null)).document();
        fullAgain = Planner.plan(shrunk, new Planner.Request(List.of(TextNode.valueOf("pg2")), null, null, null))
                .document();

        Random random = new Random(22);
        for (long id = 1; id <= 300; id++) {
            // some addresses start upper case: a global order by e-mail is by code point on every engine
            String email = (id % 9 == 0 ? "User" : "user") + id + "@example.com";
            users.add(new User(id, email, COUNTRIES.get(random.nextInt(id % 4 == 0 ? 2 : COUNTRIES.size()))));
            for (int n = 0; n < id % 6; n++) {
                BigDecimal total = random.nextInt(20) == 0 ? null
                        : BigDecimal.valueOf(100 + random.nextInt(50_000), 2);
                orders.add(new Order(id * 10 + n, id, total, STATUSES.get(random.nextInt(STATUSES.size()))));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void answersAreExactAcrossEnginesFailuresAreNamedAndARebalanceCountsEachRowOnce() throws Exception {
        Topology fullTopology = TopologyLoader.parse(full, "full", Map.of());
        try (KafkaProducer<byte[], byte[]> registry = producer();
                ShardRouter router = ShardRouter.builder(fullTopology, testbed.kafka().bootstrapServers())
                        .routerId("scatter").start()) {
            publish(registry, TopologyState.steady("shop", full));
            await().atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == fullTopology.epoch());
            for (User user : users) {
                router.write(user.id(), connection -> {
                    insert(connection, user);
                    for (Order order : orders) {
                        if (order.userId() == user.id()) {
                            insert(connection, order);
                        }
                    }
                    return null;
                });
            }
            for (DatabaseShard shard : testbed.shards()) {
                assertThat(shard.count("users")).as("rows on %s", shard.id()).isPositive();
            }

            assertAnswersExact(router, 3);
            aFailingAndASlowShardAreNamed(router);

            // rebalance A takes pg2 out: its rows are copied to their new owners, so pg1 and maria1 hold copies
            Topology shrunkTopology = TopologyLoader.parse(shrunk, "shrunk", Map.of());
            long copied = copyRowsToOwners(fullTopology, shrunkTopology);
            assertThat(copied).isPositive();
            publish(registry, new TopologyState("shop", full, shrunk, TopologyState.Phase.FORWARD, "r-a"));
            await().atMost(Duration.ofSeconds(10)).until(() -> router.query("SELECT COUNT(*) FROM users")
                    .rebalancing());
            QueryResult during = assertAnswersExact(router, 3);
            assertThat(during.rebalancing()).isTrue();
            assertThat(during.merge()).contains("counted only the keys it owns at epoch " + fullTopology.epoch());
            assertThat(during.shards().values().stream().mapToLong(QueryResult.ShardAnswer::notOwned).sum())
                    .as("the copies on pg1 and maria1 were read and left out").isPositive();

            publish(registry, new TopologyState("shop", shrunk, full, TopologyState.Phase.REVERSE, "r-a"));
            await().atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == shrunkTopology.epoch());
            assertThat(assertAnswersExact(router, 2).shards()).doesNotContainKey("pg2");

            // rebalance B brings pg2 back: after its cutover pg1 and maria1 still hold the rows pg2 owns again
            Topology fullAgainTopology = TopologyLoader.parse(fullAgain, "full again", Map.of());
            publish(registry, TopologyState.steady("shop", shrunk));
            publish(registry, new TopologyState("shop", fullAgain, shrunk, TopologyState.Phase.REVERSE, "r-b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == fullAgainTopology.epoch());
            QueryResult after = assertAnswersExact(router, 3);
            assertThat(after.shards().get("pg1").notOwned() + after.shards().get("maria1").notOwned())
                    .as("rows handed back to pg2 left out where they were copies").isPositive();
            assertThat(after.shards().get("pg2").notOwned()).isZero();

            // the workflow's complete step deletes what the old owners no longer own; then no rebalance runs
            deleteRowsNotOwned(fullAgainTopology);
            publish(registry, TopologyState.steady("shop", fullAgain));
            await().atMost(Duration.ofSeconds(10)).until(() -> !router.query("SELECT COUNT(*) FROM users")
                    .rebalancing());
            assertAnswersExact(router, 3);
        }
    }

    /** Every query shape, checked against the figures computed from the rows written; returns the last result. */
    private static QueryResult assertAnswersExact(ShardRouter router, int shards) throws SQLException {
        QueryResult count = router.query("SELECT COUNT(*) FROM users");
        assertThat(count.shards()).hasSize(shards);
        assertThat(count.rows()).containsExactly(List.of((long) users.size()));

        List<BigDecimal> totals = orders.stream().map(Order::total).filter(t -> t != null).toList();
        QueryResult sums = router.query("SELECT COUNT(*), SUM(total_amount), COUNT(total_amount) FROM orders");
        assertThat(sums.rows().get(0).get(0)).isEqualTo((long) orders.size());
        assertThat((BigDecimal) sums.rows().get(0).get(1)).isEqualByComparingTo(sum(totals));
        assertThat(sums.rows().get(0).get(2)).isEqualTo((long) totals.size());

        // AVG per status: the groups span every shard, so each shard sends its SUM and COUNT
        QueryResult averages = router.query("SELECT status, COUNT(*), AVG(total_amount) FROM orders "
                + "WHERE user_id > ? GROUP BY status ORDER BY status", 20);
        assertThat(averages.merge()).contains("AVG as its SUM and COUNT");
        Map<String, List<Order>> byStatus = orders.stream().filter(o -> o.userId() > 20)
                .collect(Collectors.groupingBy(Order::status, TreeMap::new, Collectors.toList()));
        assertThat(averages.rows()).hasSize(byStatus.size());
        int row = 0;
        for (Map.Entry<String, List<Order>> group : byStatus.entrySet()) {
            List<Object> answer = averages.rows().get(row++);
            List<BigDecimal> amounts = group.getValue().stream().map(Order::total).filter(t -> t != null).toList();
            assertThat(answer.get(0)).isEqualTo(group.getKey());
            assertThat(answer.get(1)).isEqualTo((long) group.getValue().size());
            assertThat((BigDecimal) answer.get(2)).as("AVG of %s", group.getKey()).isEqualByComparingTo(
                    sum(amounts).divide(BigDecimal.valueOf(amounts.size()), MathContext.DECIMAL64));
        }

        // the top users by orders: grouped by the shard key, so each shard's groups are final
        QueryResult top = router.query("SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id "
                + "ORDER BY n DESC, user_id LIMIT 7");
        assertThat(top.merge()).contains("grouped by the shard key");
        Map<Long, Long> perUser = orders.stream().collect(Collectors.groupingBy(Order::userId,
                Collectors.counting()));
        List<List<Object>> expectedTop = perUser.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(7).map(e -> List.<Object>of(e.getKey(), e.getValue())).toList();
        assertThat(top.rows()).isEqualTo(expectedTop);

        // the top countries: groups span shards, merged first, then ordered and limited
        QueryResult countries = router.query("SELECT country, COUNT(*) FROM users GROUP BY country "
                + "ORDER BY COUNT(*) DESC, country LIMIT 3");
        Map<String, Long> perCountry = users.stream().collect(Collectors.groupingBy(User::country,
                Collectors.counting()));
        assertThat(countries.rows()).isEqualTo(perCountry.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(3).map(e -> List.<Object>of(e.getKey(), e.getValue())).toList());

        // the chapter's e-mail search, with a global order (by code point: upper case first) and an offset
        QueryResult search = router.query("SELECT id, email FROM users WHERE email LIKE ? ORDER BY email "
                + "LIMIT 6 OFFSET 2", "%7%");
        assertThat(search.rows()).isEqualTo(users.stream().filter(u -> u.email().contains("7"))
                .sorted(Comparator.comparing(User::email)).skip(2).limit(6)
                .map(u -> List.<Object>of(u.id(), u.email())).toList());
        return search;
    }

    private static void aFailingAndASlowShardAreNamed(ShardRouter router) throws Exception {
        DatabaseShard maria = shard("maria1");
        maria.execute("RENAME TABLE users TO users_away");
        try {
            assertThatThrownBy(() -> router.query("SELECT COUNT(*) FROM users"))
                    .isInstanceOf(ShardQueryException.class).hasMessageContaining("shard maria1")
                    .satisfies(e -> assertThat(((ShardQueryException) e).failures()).containsOnlyKeys("maria1"));
        } finally {
            maria.execute("RENAME TABLE users_away TO users");
        }

        DatabaseShard pg1 = shard("pg1");
        try (Connection locker = pg1.connect()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            ScatterQuery slow = ScatterQuery.of("SELECT COUNT(*) FROM users").withTimeout(Duration.ofSeconds(2));
            long started = System.nanoTime();
            assertThatThrownBy(() -> router.query(slow)).isInstanceOf(ShardQueryException.class)
                    .hasMessageContaining("shard pg1 (no answer within 2000 ms)");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));

            QueryResult partial = router.query(slow.allowingPartial());
            assertThat(partial.complete()).isFalse();
            assertThat(partial.missing()).containsOnlyKeys("pg1");
            assertThat(partial.rows()).containsExactly(List.of(shard("pg2").count("users")
                    + maria.count("users")));
            locker.rollback();
        }
    }

    /** Copies every row whose owner differs between {@code from} and {@code to} onto its owner in {@code to}. */
    private static long copyRowsToOwners(Topology from, Topology to) throws SQLException {
        long copied = 0;
        Map<String, Connection> connections = new TreeMap<>();
        try {
            for (DatabaseShard shard : testbed.shards()) {
                connections.put(shard.id(), shard.connect());
            }
            for (User user : users) {
                String owner = to.strategy().ownerOf(user.id());
                if (!owner.equals(from.strategy().ownerOf(user.id()))) {
                    insert(connections.get(owner), user);
                    for (Order order : orders) {
                        if (order.userId() == user.id()) {
                            insert(connections.get(owner), order);
                        }
                    }
                    copied++;
                }
            }
        } finally {
            for (Connection connection : connections.values()) {
                connection.close();
            }
        }
        return copied;
    }

    private static void deleteRowsNotOwned(Topology owners) throws SQLException {
        for (DatabaseShard shard : testbed.shards()) {
            try (Connection connection = shard.connect();
                    PreparedStatement orders = connection.prepareStatement("DELETE FROM orders WHERE user_id = ?");
                    PreparedStatement user = connection.prepareStatement("DELETE FROM users WHERE id = ?")) {
                for (User u : users) {
                    if (!owners.strategy().ownerOf(u.id()).equals(shard.id())) {
                        orders.setLong(1, u.id());
                        orders.executeUpdate();
                        user.setLong(1, u.id());
                        user.executeUpdate();
                    }
                }
            }
        }
    }

    private static void insert(Connection connection, User user) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO users (id, username, email, "
                + "country, created_at, version) VALUES (?, ?, ?, ?, ?, 1)")) {
            insert.setLong(1, user.id());
            insert.setString(2, "u" + user.id());
            insert.setString(3, user.email());
            insert.setString(4, user.country());
            insert.setTimestamp(5, Timestamp.valueOf("2026-01-01 10:00:00"));
            insert.executeUpdate();
        }
    }

    private static void insert(Connection connection, Order order) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (id, user_id, order_date, "
                + "total_amount, status, username, version) VALUES (?, ?, ?, ?, ?, ?, 1)")) {
            insert.setLong(1, order.id());
            insert.setLong(2, order.userId());
            insert.setDate(3, Date.valueOf(LocalDate.of(2026, 1, 1).plusDays(order.id() % 300)));
            insert.setBigDecimal(4, order.total());
            insert.setString(5, order.status());
            insert.setString(6, "u" + order.userId());
            insert.executeUpdate();
        }
    }

    private static BigDecimal sum(List<BigDecimal> values) {
        return values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static DatabaseShard shard(String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private static void publish(KafkaProducer<byte[], byte[]> producer, TopologyState state) throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.topology(), "shop".getBytes(StandardCharsets.UTF_8),
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
