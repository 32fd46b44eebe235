package dev.shardflow.bench.chaos;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.RetryableRouteException;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.router.tx.TransactionAbortedException;
import dev.shardflow.router.tx.TransactionInDoubtException;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.topology.TransferCoordinator;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharding chapter's {@code transfer_user_data} as the chaos application's second load: a thread moves money
 * between two users' {@code user_balances} rows, with a {@code transfer_logs} row on each side, in one
 * {@link ShardRouter#transaction} — two-phase commit when the users live on different shards — and remembers each
 * transfer's outcome: committed, rolled back (or refused for want of money), not run (held by a fence), or in doubt.
 *
 * <p>Transfer {@code n} writes log rows {@code 2n} (outgoing, on the payer's owner) and {@code 2n + 1} (incoming, on
 * the payee's owner). The pairs are drawn so that at most one MariaDB shard takes part, before and after the move: the
 * binlog carries an XA branch's rows at prepare, so an XA branch rolled back after its prepare leaves changes in the
 * topics that never committed — the router's documented limit, not a fault this harness looks for.
 */
final class TransferWorkload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransferWorkload.class);
    /** The balance each user starts with; the first tenth of the users start with {@link #LITTLE}. */
    static final long BALANCE = 1_000;
    static final long LITTLE = 20;

    /** What became of the transfers started. */
    enum Outcome { COMMITTED, ROLLED_BACK, NOT_RUN, IN_DOUBT }

    private final ShardRouter router;
    private final int users;
    private final List<long[]> pairs;
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Set<Long> started = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean stop;

    /**
     * Gives {@code users} users (ids 1 to {@code users}) their balance through the router, then starts transferring
     * at {@code perSecond}.
     *
     * @param before the ring in force now
     * @param after the ring the move makes
     */
    TransferWorkload(ShardRouter router, int users, int perSecond, Topology before, Topology after, long seed)
            throws SQLException {
        this.router = router;
        this.users = users;
        this.pairs = pairs(users, before, after, seed);
        for (long user = 1; user <= users; user++) {
            long id = user;
            router.write(id, connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO user_balances (user_id, balance) VALUES (?, ?)")) {
                    insert.setLong(1, id);
                    insert.setLong(2, startingBalance(id, users));
                    insert.executeUpdate();
                }
                return null;
            });
        }
        log.info("transfers: {} users, {} pairs with at most one MariaDB shard before and after the move", users,
                pairs.size());
        this.thread = new Thread(() -> run(perSecond, seed), "transfers");
        thread.setDaemon(true);
        thread.start();
    }

    int users() {
        return users;
    }

    static long startingBalance(long user, int users) {
        return user <= users / 10 ? LITTLE : BALANCE;
    }

    /** The sum of every starting balance, which no transfer changes. */
    long totalBalance() {
        long sum = 0;
        for (long user = 1; user <= users; user++) {
            sum += startingBalance(user, users);
        }
        return sum;
    }

    /** Ordered pairs of distinct users whose owners include at most one MariaDB shard, before and after. */
    private static List<long[]> pairs(int users, Topology before, Topology after, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<long[]> pairs = new ArrayList<>();
        for (int attempt = 0; attempt < 20 * users && pairs.size() < 4 * users; attempt++) {
            long from = 1 + random.nextInt(users);
            long to = 1 + random.nextInt(users);
            if (from != to && atMostOneMariaDb(before, from, to) && atMostOneMariaDb(after, from, to)) {
                pairs.add(new long[] {from, to});
            }
        }
        return pairs;
    }

    private static boolean atMostOneMariaDb(Topology topology, long from, long to) {
        String a = topology.strategy().ownerOf(from);
        String b = topology.strategy().ownerOf(to);
        return a.equals(b) || !(mariaDb(topology, a) && mariaDb(topology, b));
    }

    private static boolean mariaDb(Topology topology, String shard) {
        return topology.shards().stream().filter(s -> s.id().equals(shard)).findFirst().orElseThrow().engine()
                != Engine.POSTGRESQL;
    }

    private void run(int perSecond, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (long n = 1; !stop; n++) {
            next += interval;
            LockSupport.parkNanos(next - System.nanoTime());
            long[] pair = pairs.get(random.nextInt(pairs.size()));
            transfer(n, pair[0], pair[1], 1 + random.nextInt(50));
        }
    }

    private void transfer(long n, long from, long to, long amount) {
        started.add(n);
        try {
            router.transaction(List.of(from, to), tx -> {
                try (PreparedStatement debit = tx.on(from).prepareStatement(
                        "UPDATE user_balances SET balance = balance - ? WHERE user_id = ? AND balance >= ?")) {
                    debit.setLong(1, amount);
                    debit.setLong(2, from);
                    debit.setLong(3, amount);
                    if (debit.executeUpdate() != 1) {
                        throw new Refused(from, amount);
                    }
                }
                try (PreparedStatement credit = tx.on(to).prepareStatement(
                        "UPDATE user_balances SET balance = balance + ? WHERE user_id = ?")) {
                    credit.setLong(1, amount);
                    credit.setLong(2, to);
                    if (credit.executeUpdate() != 1) {
                        throw new SQLException("user " + to + " has no balance row");
                    }
                }
                TransferCoordinator.logRow(tx.on(from), 2 * n, from, from, to, amount, "outgoing");
                TransferCoordinator.logRow(tx.on(to), 2 * n + 1, to, from, to, amount, "incoming");
                return null;
            });
            outcomes.put(n, Outcome.COMMITTED);
        } catch (RetryableRouteException e) {
            outcomes.put(n, Outcome.NOT_RUN);
        } catch (TransactionAbortedException | Refused e) {
            outcomes.put(n, Outcome.ROLLED_BACK);
        } catch (SQLException | RuntimeException e) {
            // in doubt, or a local transaction whose commit failed: either way, on both sides or on neither
            outcomes.put(n, Outcome.IN_DOUBT);
            if (!(e instanceof TransactionInDoubtException)) {
                log.debug("transfer {} ended without an outcome: {}", n, e.toString());
            }
        }
    }

    /** The transfers started, each with its outcome ({@link Outcome#IN_DOUBT} for one cut short by close). */
    Map<Long, Outcome> outcomes() {
        Map<Long, Outcome> all = new java.util.TreeMap<>();
        started.forEach(n -> all.put(n, outcomes.getOrDefault(n, Outcome.IN_DOUBT)));
        return all;
    }

    long count(Outcome outcome) {
        return outcomes().values().stream().filter(outcome::equals).count();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }

    /** The statements that give every shard the transfer tables. */
    static void createTables(Collection<? extends DatabaseShard> shards) {
        for (DatabaseShard shard : shards) {
            shard.execute("CREATE TABLE user_balances (user_id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                    "CREATE TABLE transfer_logs (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, from_user BIGINT "
                            + "NOT NULL, to_user BIGINT NOT NULL, amount BIGINT NOT NULL, type VARCHAR(10) NOT NULL)");
            if (shard.engine() == Engine.POSTGRESQL) { // cleanup's deletes must carry the shard key
                shard.execute("ALTER TABLE transfer_logs REPLICA IDENTITY FULL");
            }
        }
    }

    /** A transfer refused for want of money: rolled back. */
    private static final class Refused extends SQLException {
        private static final long serialVersionUID = 1L;

        Refused(long user, long amount) {
            super("user " + user + " has less than " + amount);
        }
    }
}
