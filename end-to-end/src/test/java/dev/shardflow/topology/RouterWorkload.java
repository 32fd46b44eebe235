package dev.shardflow.topology;

import dev.shardflow.router.RetryableRouteException;
import dev.shardflow.router.ShardRouter;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes users and orders of the sample schema through a {@link ShardRouter}, from several threads at a steady rate,
 * each thread on its own users — updates of users, inserts, updates and deletes of their orders — and remembers every
 * acknowledged write's outcome (a row's last acknowledged version, or that it was deleted) and how long each write
 * took, keyed or not by a moving user.
 */
public final class RouterWorkload implements AutoCloseable {
    /** A row's state as its last acknowledged write left it; version -1 for a deleted row. */
    public record Expected(String table, long id, long userId, long version) {}

    /** One write: when it started, how long it took, for which user. */
    public record Timing(long startMs, long micros, long userId) {}

    private volatile ShardRouter router;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    private final Map<String, Boolean> inDoubt = new ConcurrentHashMap<>();
    private final List<Timing> timings = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean stop;
    private volatile boolean paused;
    private final java.util.concurrent.atomic.AtomicInteger writing = new java.util.concurrent.atomic.AtomicInteger();

    public RouterWorkload(ShardRouter router) {
        this.router = router;
    }

    /** Loads {@code users} users with one order each, through the router. */
    public void load(long firstUser, int users) throws SQLException {
        for (long user = firstUser; user < firstUser + users; user++) {
            long id = user;
            router.write(id, connection -> {
                insertUser(connection, id, 1);
                insertOrder(connection, id * 10, id, 1);
                return null;
            });
            expected.put("users/" + id, new Expected("users", id, id, 1));
            expected.put("orders/" + id * 10, new Expected("orders", id * 10, id, 1));
        }
    }

    /** Starts {@code threads} writers at {@code perSecond} writes per second each, over disjoint users. */
    public void start(int threadCount, int perSecond, long firstUser, int usersPerThread) {
        for (int t = 0; t < threadCount; t++) {
            long base = firstUser + (long) t * usersPerThread;
            Random random = new Random(t);
            Thread thread = new Thread(() -> run(random, base, usersPerThread, perSecond), "router-workload-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(Random random, long base, int users, int perSecond) {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        while (!stop) {
            next += interval;
            LockSupport.parkNanos(next - System.nanoTime());
            writing.incrementAndGet();
            try {
                if (!paused) {
                    writeOnce(random, base, users);
                }
            } finally {
                writing.decrementAndGet();
            }
        }
    }

    private void writeOnce(Random random, long base, int users) {
        long user = base + random.nextInt(users);
        String key = "users/" + user;
        if (inDoubt.containsKey(key)) {
            return;
        }
        Expected before = expected.get(key);
        long version = before == null ? 1 : before.version() + 1;
        long orderId = user * 10 + (version % 3 == 0 ? 1 : 0);
        // now and then the user's second order is deleted (it comes back at the next multiple of 3)
        Expected second = expected.get("orders/" + (user * 10 + 1));
        boolean deleteSecond = version % 5 == 0 && second != null && second.version() > 0 && orderId != user * 10 + 1;
        long started = System.nanoTime();
        long startMs = System.currentTimeMillis();
        try {
            router.write(user, connection -> {
                if (before == null) {
                    insertUser(connection, user, version);
                } else {
                    try (PreparedStatement update = connection.prepareStatement(
                            "UPDATE users SET username = ?, version = ? WHERE id = ?")) {
                        update.setString(1, "user" + user + "v" + version);
                        update.setLong(2, version);
                        update.setLong(3, user);
                        update.executeUpdate();
                    }
                }
                upsertOrder(connection, orderId, user, version);
                if (deleteSecond) {
                    deleteOrder(connection, user * 10 + 1);
                }
                return null;
            });
            acknowledged.incrementAndGet();
            expected.put(key, new Expected("users", user, user, version));
            expected.put("orders/" + orderId, new Expected("orders", orderId, user, version));
            if (deleteSecond) {
                expected.put("orders/" + (user * 10 + 1), new Expected("orders", user * 10 + 1, user, -1));
            }
            timings.add(new Timing(startMs, (System.nanoTime() - started) / 1_000, user));
        } catch (RetryableRouteException e) {
            refused.incrementAndGet(); // not run: nothing to remember
        } catch (SQLException | RuntimeException e) {
            inDoubt.put(key, true);
            inDoubt.put("orders/" + orderId, true);
            inDoubt.put("orders/" + (user * 10 + 1), true);
        }
    }

    /**
     * Inserts one order per user of {@code users} with id {@code firstOrderId + user} (for a partition added while
     * the rebalance runs), then deletes every third of them, each through the router; writes refused by a fence are
     * tried again.
     */
    void writeOrdersFrom(long firstOrderId, List<Long> users) throws SQLException, InterruptedException {
        for (long user : users) {
            long id = firstOrderId + user;
            writeRetrying(user, connection -> insertOrder(connection, id, user, 1));
            expected.put("orders/" + id, new Expected("orders", id, user, 1));
            if (user % 3 == 0) {
                writeRetrying(user, connection -> deleteOrder(connection, id));
                expected.put("orders/" + id, new Expected("orders", id, user, -1));
            }
        }
    }

    private interface Statement {
        void run(java.sql.Connection connection) throws SQLException;
    }

    private void writeRetrying(long user, Statement statement) throws SQLException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                router.write(user, connection -> {
                    statement.run(connection);
                    return null;
                });
                acknowledged.incrementAndGet();
                return;
            } catch (RetryableRouteException e) {
                if (attempt >= 50) {
                    throw e;
                }
                Thread.sleep(100); // held by a fence: the router says when to come back, retry shortly
            }
        }
    }

    private static void deleteOrder(java.sql.Connection connection, long id) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    private static void insertUser(java.sql.Connection connection, long id, long version) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO users (id, username, email, country, "
                + "created_at, version) VALUES (?, ?, ?, 'DE', CURRENT_TIMESTAMP, ?)")) {
            insert.setLong(1, id);
            insert.setString(2, "user" + id + "v" + version);
            insert.setString(3, "u" + id + "@example.com");
            insert.setLong(4, version);
            insert.executeUpdate();
        }
    }

    private static void insertOrder(java.sql.Connection connection, long id, long userId, long version)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (id, user_id, order_date, "
                + "total_amount, status, username, version) VALUES (?, ?, CURRENT_DATE, ?, 'pending', ?, ?)")) {
            insert.setLong(1, id);
            insert.setLong(2, userId);
            insert.setBigDecimal(3, new BigDecimal("10.00").add(BigDecimal.valueOf(version)));
            insert.setString(4, "user" + userId);
            insert.setLong(5, version);
            insert.executeUpdate();
        }
    }

    private static void upsertOrder(java.sql.Connection connection, long id, long userId, long version)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE orders SET version = ?, total_amount = ? "
                + "WHERE id = ?")) {
            update.setLong(1, version);
            update.setBigDecimal(2, new BigDecimal("10.00").add(BigDecimal.valueOf(version)));
            update.setLong(3, id);
            if (update.executeUpdate() == 0) {
                insertOrder(connection, id, userId, version);
            }
        }
    }

    /** Writes through {@code next} from now on; call between {@link #pause} and {@link #resume}. */
    public void use(ShardRouter next) {
        router = next;
    }

    /** Stops writing until {@link #resume}; the write in progress finishes first. */
    public void pause() {
        paused = true;
        org.awaitility.Awaitility.await("writes in flight done").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> writing.get() == 0);
    }

    public void resume() {
        paused = false;
    }

    public Map<String, Expected> expected() {
        Map<String, Expected> settled = new HashMap<>(expected);
        settled.keySet().removeAll(inDoubt.keySet());
        return settled;
    }

    public List<Timing> timings() {
        synchronized (timings) {
            return List.copyOf(timings);
        }
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long refused() {
        return refused.get();
    }

    public int inDoubt() {
        return inDoubt.size();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }
}
