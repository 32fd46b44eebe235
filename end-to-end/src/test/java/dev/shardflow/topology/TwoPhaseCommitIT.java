package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.ShardPools;
import dev.shardflow.jdbc.tx.TxRecovery;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.router.tx.TransactionAbortedException;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two-phase commit through a router on one PostgreSQL and two MariaDB shards, with the chapter's
 * {@code transfer_user_data}: transfers between a PostgreSQL and a MariaDB user and between two MariaDB users commit
 * on both sides and leave nothing prepared; a transfer that fails half-way changes nothing; and recovery finishes
 * the branches a coordinator left prepared — committed where the decision log says commit, rolled back (after
 * deciding abort) where it says nothing and the branch is old enough, left alone while it is young.
 */
class TwoPhaseCommitIT {
    private static Testbed testbed;
    private static Topology topology;
    private static final Map<String, HikariDataSource> pools = new HashMap<>();

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).postgresShards(1).mariadbShards(2).start();
        for (DatabaseShard shard : testbed.shards()) {
            shard.execute("CREATE TABLE user_balances (user_id BIGINT PRIMARY KEY, balance DECIMAL(12,2) NOT NULL)",
                    "CREATE TABLE transfer_logs (id VARCHAR(64) PRIMARY KEY, from_user BIGINT NOT NULL, to_user BIGINT "
                            + "NOT NULL, amount DECIMAL(12,2) NOT NULL)");
        }
        topology = ShopTopology.of(testbed.shards());
        TopicNames topics = TopicNames.of(topology);
        testbed.kafka().createTopic(topics.topology(), 1, 1, Map.of("cleanup.policy", "compact"));
        testbed.kafka().createTopic(topics.routers(), 1, 1, Map.of());
        for (long user = 1; user <= 60; user++) {
            execute(topology.strategy().ownerOf(user), "INSERT INTO user_balances VALUES (" + user + ", 100.00)");
        }
    }

    @AfterAll
    static void stop() {
        pools.values().forEach(HikariDataSource::close);
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void transfersCommitOnBothShardsOrNeitherAndRecoveryFinishesWhatACoordinatorLeft() throws Exception {
        long pgUser = userOn("pg1", 0);
        long mariaUser = userOn("maria1", 0);
        long otherMariaUser = userOn("maria2", 0);
        try (ShardRouter router = ShardRouter.builder(topology, testbed.kafka().bootstrapServers())
                .routerId("tx").start()) {
            assertThat(transfer(router, pgUser, mariaUser, "30.00")).startsWith("sf1-");
            assertThat(transfer(router, mariaUser, otherMariaUser, "10.00")).as("two MariaDB shards: one XA branch")
                    .startsWith("sf1-");
            assertThat(balance(pgUser)).isEqualByComparingTo("70.00");
            assertThat(balance(mariaUser)).isEqualByComparingTo("120.00");
            assertThat(balance(otherMariaUser)).isEqualByComparingTo("110.00");
            assertThat(transfer(router, pgUser, userOn("pg1", 1), "1.00")).as("one shard: a local transaction")
                    .isNull();

            assertThatThrownBy(() -> router.transaction(List.of(pgUser, otherMariaUser), tx -> {
                move(tx.on(pgUser), pgUser, new BigDecimal("-50.00"));
                throw new SQLException("the credit side refused");
            })).isInstanceOf(TransactionAbortedException.class).hasMessageContaining("rolled back on every shard")
                    .hasMessageContaining("the credit side refused");
            assertThatThrownBy(() -> router.transaction(List.of(pgUser), tx -> tx.on(mariaUser)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one this transaction "
                            + "declared");
            assertThat(balance(pgUser)).isEqualByComparingTo("69.00");
            assertThat(prepared()).isEmpty();
            assertThat(count("maria1", "SELECT COUNT(*) FROM " + ControlTables.TX_DECISION))
                    .as("decisions are deleted once phase two is done").isZero();
        }

        // what a coordinator killed in each phase leaves: prepared branches, with or without a decision
        long old = System.currentTimeMillis() - Duration.ofMinutes(5).toMillis();
        String decided = "sf1-" + Long.toHexString(old) + "-00000000000000a1";
        String undecided = "sf1-" + Long.toHexString(old) + "-00000000000000a2";
        String young = "sf1-" + Long.toHexString(System.currentTimeMillis()) + "-00000000000000a3";
        preparePostgres(decided + "@maria1", pgUser, "5.00");
        prepareXa("maria2", decided, "maria1", otherMariaUser, "-5.00");
        execute("maria1", "INSERT INTO " + ControlTables.TX_DECISION + " VALUES ('" + decided + "', 'commit', "
                + old + ", 'pg1,maria1,maria2')");
        // a prepared branch holds its row locks: each of these touches a user of its own
        long pgUser2 = userOn("pg1", 2);
        long mariaUser2 = userOn("maria2", 1);
        preparePostgres(undecided + "@maria1", pgUser2, "1000.00");
        prepareXa("maria2", young, "maria1", mariaUser2, "1000.00");

        TxRecovery recovery = new TxRecovery(topology::shards, TwoPhaseCommitIT::pool);
        List<TxRecovery.InDoubt> inDoubt = recovery.list();
        assertThat(inDoubt).extracting(TxRecovery.InDoubt::shard, TxRecovery.InDoubt::transaction,
                TxRecovery.InDoubt::decision).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("pg1", decided, "commit"),
                        org.assertj.core.groups.Tuple.tuple("pg1", undecided, null),
                        org.assertj.core.groups.Tuple.tuple("maria2", decided, "commit"),
                        org.assertj.core.groups.Tuple.tuple("maria2", young, null));

        TxRecovery.Report report = recovery.recover(Duration.ofMinutes(1));
        assertThat(report.committed()).isEqualTo(2);
        assertThat(report.rolledBack()).isEqualTo(1);
        assertThat(report.waiting()).as("the young one may still be running").isEqualTo(1);
        assertThat(balance(pgUser)).isEqualByComparingTo("74.00");
        assertThat(balance(otherMariaUser)).isEqualByComparingTo("105.00");
        assertThat(count("maria1", "SELECT COUNT(*) FROM " + ControlTables.TX_DECISION + " WHERE txid = '"
                + undecided + "' AND outcome = 'abort'")).as("abort decided before the rollback").isEqualTo(1);

        assertThat(balance(pgUser2)).isEqualByComparingTo("100.00");
        assertThat(recovery.recover(Duration.ZERO).rolledBack()).isEqualTo(1);
        assertThat(balance(mariaUser2)).isEqualByComparingTo("100.00");
        assertThat(prepared()).isEmpty();
    }

    private static String transfer(ShardRouter router, long from, long to, String amount) throws SQLException {
        BigDecimal value = new BigDecimal(amount);
        return router.transaction(List.of(from, to), tx -> {
            move(tx.on(from), from, value.negate());
            move(tx.on(to), to, value);
            try (PreparedStatement log = tx.on(from).prepareStatement("INSERT INTO transfer_logs VALUES (?, ?, ?, ?)")) {
                log.setString(1, from + "-" + to + "-" + System.nanoTime());
                log.setLong(2, from);
                log.setLong(3, to);
                log.setBigDecimal(4, value);
                log.executeUpdate();
            }
            return tx.id();
        });
    }

    private static void move(Connection connection, long user, BigDecimal delta) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE user_balances SET balance = balance + ? "
                + "WHERE user_id = ?")) {
            update.setBigDecimal(1, delta);
            update.setLong(2, user);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private static void preparePostgres(String gid, long user, String delta) throws SQLException {
        try (Connection connection = shard("pg1").connect(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL lock_timeout = '5s'");
            statement.execute("UPDATE user_balances SET balance = balance + " + delta + " WHERE user_id = " + user);
            statement.execute("PREPARE TRANSACTION '" + gid + "'");
        }
    }

    private static void prepareXa(String shard, String txid, String decider, long user, String delta)
            throws SQLException {
        String xid = "'" + txid + "','" + decider + "'," + 0x5346;
        try (Connection connection = shard(shard).connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION innodb_lock_wait_timeout = 5");
            statement.execute("XA START " + xid);
            statement.execute("UPDATE user_balances SET balance = balance + " + delta + " WHERE user_id = " + user);
            statement.execute("XA END " + xid);
            statement.execute("XA PREPARE " + xid);
        }
    }

    /** The shardflow branches every shard holds prepared, as the databases list them. */
    private static List<String> prepared() throws SQLException {
        List<String> found = new java.util.ArrayList<>();
        try (Connection pg = shard("pg1").connect(); ResultSet rows = pg.createStatement().executeQuery(
                "SELECT gid FROM pg_prepared_xacts")) {
            while (rows.next()) {
                found.add("pg1 " + rows.getString(1));
            }
        }
        for (String maria : List.of("maria1", "maria2")) {
            try (Connection connection = shard(maria).connect(); ResultSet rows = connection.createStatement()
                    .executeQuery("XA RECOVER")) {
                while (rows.next()) {
                    found.add(maria + " " + rows.getString("data"));
                }
            }
        }
        return found;
    }

    private static long userOn(String shard, int nth) {
        return LongStream.rangeClosed(1, 60).filter(u -> topology.strategy().ownerOf(u).equals(shard)).skip(nth)
                .findFirst().orElseThrow();
    }

    private static BigDecimal balance(long user) throws SQLException {
        try (Connection connection = shard(topology.strategy().ownerOf(user)).connect();
                ResultSet row = connection.createStatement().executeQuery("SELECT balance FROM user_balances WHERE "
                        + "user_id = " + user)) {
            row.next();
            return row.getBigDecimal(1);
        }
    }

    private static long count(String shard, String sql) throws SQLException {
        try (Connection connection = shard(shard).connect();
                ResultSet row = connection.createStatement().executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static void execute(String shard, String sql) {
        shard(shard).execute(sql);
    }

    private static DatabaseShard shard(String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private static HikariDataSource pool(String id) {
        return pools.computeIfAbsent(id, shard -> {
            ShardSpec spec = topology.shard(shard).orElseThrow();
            return ShardPools.open(spec, spec.password().resolve(), new ShardPools.Use("recovery", 2, 0, false,
                    Duration.ofSeconds(10)));
        });
    }
}
