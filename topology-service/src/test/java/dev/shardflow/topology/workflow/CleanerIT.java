package dev.shardflow.topology.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cleanup on a PostgreSQL and a MariaDB shard that each hold every key: it deletes exactly the rows a ring of the two
 * and a third shard places elsewhere — users and orders by their shard keys, order items with their orders — walking
 * each table in several batches; stopped early, a second run deletes the rest, and a third finds nothing.
 */
class CleanerIT {
    private static final int USERS = 6_000;
    private static final int BATCH_ROWS = 1_000;

    private static Testbed testbed;
    private static ShardConnections connections;
    private static Topology owner;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().postgresShards(1).mariadbShards(1).start();
        connections = new ShardConnections();
        List<String> ring = new ArrayList<>(testbed.shards().stream().map(DatabaseShard::id).toList());
        ring.add("elsewhere");
        owner = TopologyLoader.parse(ShopTopology.routingDocument(2, ring), "cleaner-test", Map.of());
        for (DatabaseShard shard : testbed.shards()) {
            SampleSchema.applyTo(shard);
            for (long from = 1; from <= USERS; from += 500) {
                List<Long> ids = LongStream.range(from, Math.min(USERS + 1, from + 500)).boxed().toList();
                shard.execute("INSERT INTO users (id, username, email, country, created_at, version) VALUES "
                        + ids.stream().map(id -> "(" + id + ", 'user" + id + "', 'u" + id + "@example.com', 'NL', "
                                + "'2026-03-01 10:20:30', 1)").collect(Collectors.joining(", ")),
                        "INSERT INTO orders (id, user_id, order_date, total_amount, status, username, version) VALUES "
                        + ids.stream().map(id -> "(" + id * 10 + ", " + id + ", '2026-02-01', 12.50, 'pending', "
                                + "NULL, 1)").collect(Collectors.joining(", ")),
                        "INSERT INTO order_items (id, order_id, product_id, quantity, price, version) VALUES "
                        + ids.stream().map(id -> "(" + id * 10 + ", " + id * 10 + ", 1, 1, 12.50, 1)")
                                .collect(Collectors.joining(", ")));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (connections != null) {
            connections.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void deletesExactlyTheRowsPlacedElsewhereAndResumesWhereItStopped(String engine) throws Exception {
        DatabaseShard shard = testbed.shards().stream().filter(s -> s.engine().configName().equals(engine))
                .findFirst().orElseThrow();
        ShardSpec spec = ShopTopology.of(testbed.shards()).shard(shard.id()).orElseThrow();
        List<Long> kept = LongStream.rangeClosed(1, USERS).filter(id -> owner.strategy().ownerOf(id)
                .equals(shard.id())).boxed().toList();
        long leaving = USERS - kept.size();
        assertThat(leaving).as("a shard of three keeps about a third of the keys").isBetween(USERS / 2L,
                5L * USERS / 6);

        Cleaner cleaner = new Cleaner(connections, BATCH_ROWS, 0);
        AtomicInteger asked = new AtomicInteger();
        long first = cleaner.clean(spec, owner, () -> asked.incrementAndGet() > 2);
        assertThat(first).as("two batches of users, then stopped").isPositive().isLessThan(leaving);
        assertThat(shard.count("orders")).as("orders not reached yet").isEqualTo(USERS);

        long second = cleaner.clean(spec, owner, () -> false);
        assertThat(first + second).as("users, orders and their items placed elsewhere").isEqualTo(3 * leaving);
        assertThat(ids(shard, "SELECT id FROM users ORDER BY id")).isEqualTo(kept);
        assertThat(ids(shard, "SELECT user_id FROM orders ORDER BY user_id")).isEqualTo(kept);
        assertThat(ids(shard, "SELECT order_id / 10 FROM order_items ORDER BY order_id")).isEqualTo(kept);
        assertThat(shard.count("products")).as("reference rows are never cleaned").isEqualTo(12);

        assertThat(cleaner.clean(spec, owner, () -> false)).as("nothing left the third time").isZero();
    }

    private static List<Long> ids(DatabaseShard shard, String sql) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection connection = shard.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }
}
