package dev.shardflow.topology.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.jdbc.tx.Decisions;
import dev.shardflow.jdbc.tx.TxId;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.fence.FenceCoordinator;
import dev.shardflow.topology.fence.RouterRoster;
import dev.shardflow.topology.registry.ShardConnections;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topology service's recovery of cross-shard transactions on a real PostgreSQL shard and a real MariaDB shard
 * (the deciding one): the periodic sweep finishes what crashed coordinators left by the decision log, and a cutover's
 * fence finishes the decided branches on its sources before it writes a marker — or fails, writing none, when a
 * branch's decision cannot be read.
 */
class TransactionRecoveryIT {
    private static Testbed testbed;
    private static Topology topology;
    private static ShardConnections connections;
    private static SimpleMeterRegistry meters;
    private static TransactionRecovery recovery;

    @BeforeAll
    static void start() throws Exception {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(1).start();
        for (DatabaseShard shard : testbed.shards()) {
            shard.execute("CREATE TABLE user_balances (user_id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                    "CREATE TABLE " + ControlTables.FENCE + " (id VARCHAR(64) PRIMARY KEY, epoch BIGINT NOT NULL, "
                            + "created_at TIMESTAMP NOT NULL)");
            for (int user = 1; user <= 10; user++) {
                shard.execute("INSERT INTO user_balances VALUES (" + user + ", 100)");
            }
        }
        topology = ShopTopology.of(testbed.shards());
        String document = Files.readString(ShopTopology.writeYaml(topology, Scratch.newDirectory("tx-recovery")));
        testbed.kafka().createTopic(topics().routers(), 1, 1, Map.of());
        connections = new ShardConnections();
        meters = new SimpleMeterRegistry();
        recovery = new TransactionRecovery(connections, () -> Optional.of(TopologyState.steady("shop", document)),
                Duration.ofMinutes(1), meters);
    }

    @AfterAll
    static void stop() {
        if (recovery != null) {
            recovery.close();
        }
        if (connections != null) {
            connections.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void theSweepFinishesBranchesByTheirDecisionAndRollsBackOnlyOldUndecidedOnes() throws Exception {
        long old = System.currentTimeMillis() - Duration.ofMinutes(5).toMillis();
        String decided = txid(old, "b1");
        String undecided = txid(old, "b2");
        String young = txid(System.currentTimeMillis(), "b3");
        preparePostgres(decided, 1, 5);
        prepareXa(decided, 1, -5);
        decide(decided);
        preparePostgres(undecided, 2, 1_000);
        preparePostgres(young, 3, 1_000);

        TransactionRecovery.Sweep sweep = recovery.sweep();

        assertThat(sweep.committed()).isEqualTo(2);
        assertThat(sweep.rolledBack()).isEqualTo(1);
        assertThat(sweep.waiting()).as("the young one may still be running").isEqualTo(1);
        assertThat(sweep.clean()).isTrue();
        assertThat(balance("pg1", 1)).isEqualTo(105);
        assertThat(balance("maria1", 1)).isEqualTo(95);
        assertThat(balance("pg1", 2)).isEqualTo(100);
        assertThat(prepared()).containsExactly("pg1 " + young + "@maria1");
        assertThat(meters.get("shardflow.topology.transactions.recovered").tag("outcome", "commit").counter().count())
                .isEqualTo(2);
        assertThat(meters.get("shardflow.topology.transactions.in.doubt").gauge().value()).isEqualTo(1);
        assertThat(recovery.loop().state()).isEqualTo("RUNNING");

        rollback("pg1", young);
    }

    @Test
    void aFenceCommitsTheDecidedBranchesOnItsSourcesBeforeItsMarkers() throws Exception {
        String gone = txid(System.currentTimeMillis(), "c1");
        preparePostgres(gone, 4, 7);
        decide(gone);
        try (Admin admin = testbed.kafka().connection().admin(Map.of());
                RouterRoster routers = new RouterRoster(testbed.kafka().connection(), topics())) {
            FenceCoordinator fences = new FenceCoordinator(routers, connections, admin, Duration.ofSeconds(10),
                    recovery);
            fences.awaitFence("fence-1", topology, null, List.of(), 2, System.nanoTime() + 30_000_000_000L);
        }
        assertThat(prepared()).as("a decided branch on a source is committed before the markers").isEmpty();
        assertThat(balance("pg1", 4)).isEqualTo(107);
        assertThat(markers("pg1")).contains("fence-1");
        assertThat(recovery.last().orElseThrow().trigger()).isEqualTo("fence fence-1");
    }

    @Test
    void aFenceWritesNoMarkerWhileABranchOnASourceCannotBeDecided() throws Exception {
        String orphan = "sf1-" + Long.toHexString(System.currentTimeMillis()) + "-00000000000000d1@elsewhere";
        preparePostgresGid(orphan, 5, 3);
        try (Admin admin = testbed.kafka().connection().admin(Map.of());
                RouterRoster routers = new RouterRoster(testbed.kafka().connection(), topics())) {
            FenceCoordinator fences = new FenceCoordinator(routers, connections, admin, Duration.ofSeconds(10),
                    recovery);
            assertThatThrownBy(() -> fences.awaitFence("fence-2", topology, null, List.of(), 2,
                    System.nanoTime() + 30_000_000_000L)).isInstanceOf(FenceCoordinator.FenceFailed.class)
                    .hasMessageContaining("a prepared transaction on a source cannot be finished")
                    .hasMessageContaining("elsewhere");
        } finally {
            try (Connection connection = shard("pg1").connect(); Statement statement = connection.createStatement()) {
                statement.execute("ROLLBACK PREPARED '" + orphan + "'");
            }
        }
        assertThat(markers("pg1")).doesNotContain("fence-2");
        assertThat(markers("maria1")).doesNotContain("fence-2");
        assertThat(recovery.loop().state()).as("visible in the service's health").isEqualTo("RETRYING");
        assertThat(recovery.loop().detail()).contains("elsewhere");
    }

    private static TopicNames topics() {
        return TopicNames.of(topology);
    }

    private static String txid(long startedMs, String tail) {
        return "sf1-" + Long.toHexString(startedMs) + "-00000000000000" + tail;
    }

    private static void preparePostgres(String txid, long user, long delta) throws SQLException {
        preparePostgresGid(txid + "@maria1", user, delta);
    }

    private static void preparePostgresGid(String gid, long user, long delta) throws SQLException {
        try (Connection connection = shard("pg1").connect(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("UPDATE user_balances SET balance = balance + " + delta + " WHERE user_id = " + user);
            statement.execute("PREPARE TRANSACTION '" + gid + "'");
        }
    }

    private static void prepareXa(String txid, long user, long delta) throws SQLException {
        String xid = "'" + txid + "','maria1'," + 0x5346;
        try (Connection connection = shard("maria1").connect(); Statement statement = connection.createStatement()) {
            statement.execute("XA START " + xid);
            statement.execute("UPDATE user_balances SET balance = balance + " + delta + " WHERE user_id = " + user);
            statement.execute("XA END " + xid);
            statement.execute("XA PREPARE " + xid);
        }
    }

    /** What a coordinator that crashed right after its decision leaves on the deciding shard. */
    private static void decide(String txid) throws SQLException {
        try (Connection connection = shard("maria1").connect()) {
            Decisions.create(connection, Engine.MARIADB);
            Decisions.insert(connection, TxId.parse(txid), Decisions.COMMIT, "pg1,maria1");
        }
    }

    private static void rollback(String shard, String txid) {
        shard(shard).execute("ROLLBACK PREPARED '" + txid + "@maria1'");
    }

    private static List<String> prepared() throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection pg = shard("pg1").connect(); ResultSet rows = pg.createStatement().executeQuery(
                "SELECT gid FROM pg_prepared_xacts")) {
            while (rows.next()) {
                found.add("pg1 " + rows.getString(1));
            }
        }
        try (Connection maria = shard("maria1").connect(); ResultSet rows = maria.createStatement()
                .executeQuery("XA RECOVER")) {
            while (rows.next()) {
                found.add("maria1 " + rows.getString("data"));
            }
        }
        return found;
    }

    private static List<String> markers(String shard) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection connection = shard(shard).connect(); ResultSet rows = connection.createStatement()
                .executeQuery("SELECT id FROM " + ControlTables.FENCE)) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return found;
    }

    private static long balance(String shard, long user) throws SQLException {
        try (Connection connection = shard(shard).connect(); ResultSet row = connection.createStatement()
                .executeQuery("SELECT balance FROM user_balances WHERE user_id = " + user)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static DatabaseShard shard(String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
