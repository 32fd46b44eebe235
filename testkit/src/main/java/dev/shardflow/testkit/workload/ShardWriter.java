package dev.shardflow.testkit.workload;

import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.workload.Write.Op;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread of one shard: picks the next transaction, runs it, and records what the database said.
 *
 * <p>One role in one file, longer than most: each kind of transaction the workload runs (insert, update, delete,
 * a user with orders) is written out here with what it records, so that the check afterwards knows exactly what
 * every acknowledged write left.
 */
final class ShardWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ShardWriter.class);
    private static final String[] STATUSES = {"pending", "processing", "shipped", "delivered"};
    private static final String[] COUNTRIES = {"US", "DE", "FR", "JP", "BR", "IN"};
    private static final long REFUSED_BACKOFF_NANOS = 100_000_000L;
    private static final int PRODUCTS = 12;

    private final DatabaseShard shard;
    private final LongFunction<String> router;
    private final Workload.Ids ids;
    private final long intervalNanos;
    private final Random random;

    // Rows this writer may still touch: present, and last written with an acknowledgement.
    private final List<Long> liveUsers = new ArrayList<>();
    private final Map<Long, Long> userVersions = new HashMap<>();
    private final Map<Long, Integer> ordersPerUser = new HashMap<>();
    private final List<Long> liveOrders = new ArrayList<>();
    private final Map<Long, Order> orders = new HashMap<>();

    private final List<Write> acknowledged = new ArrayList<>();
    private final List<Write> inDoubt = new ArrayList<>();
    private final AtomicLong acknowledgedCount = new AtomicLong();
    private final AtomicLong inDoubtCount = new AtomicLong();
    private final AtomicLong refusedCount = new AtomicLong();
    private final AtomicLong anomalyCount = new AtomicLong();

    private volatile boolean stopRequested;
    private Connection connection;

    private record Item(long id, long version) {}

    private record Order(long userId, long version, List<Item> items) {}

    /** One transaction: the writes it makes and the statements that make them. */
    private interface Transaction {
        /** Runs the statements; false when a row that had to be there was not (the caller rolls back). */
        boolean run(Connection connection) throws SQLException;
    }

    ShardWriter(DatabaseShard shard, LongFunction<String> router, Workload.Ids ids, double writesPerSecond,
            long seed) {
        this.shard = shard;
        this.router = router;
        this.ids = ids;
        this.intervalNanos = (long) (1_000_000_000L / writesPerSecond);
        this.random = new Random(seed);
    }

    @Override
    public void run() {
        long next = System.nanoTime();
        try {
            while (!stopRequested) {
                long now = System.nanoTime();
                if (next > now) {
                    LockSupport.parkNanos(Math.min(next - now, 50_000_000L));
                    continue;
                }
                if (now - next > 1_000_000_000L) {
                    next = now; // after a stall, carry on at the rate instead of bursting to catch up
                }
                next += intervalNanos;
                if (!writeOnce()) {
                    next = Math.max(next, now + REFUSED_BACKOFF_NANOS);
                }
            }
        } catch (RuntimeException e) {
            log.error("workload writer for {} stopped by an unexpected error", shard, e);
        } finally {
            closeConnection();
        }
    }

    void requestStop() {
        stopRequested = true;
    }

    WorkloadStats stats() {
        return new WorkloadStats(acknowledgedCount.get(), inDoubtCount.get(), refusedCount.get(),
                anomalyCount.get());
    }

    synchronized void appendTo(List<Write> acknowledgedOut, List<Write> inDoubtOut) {
        acknowledgedOut.addAll(acknowledged);
        inDoubtOut.addAll(inDoubt);
    }

    /** Picks and runs one transaction; false when the shard refused the connection. */
    private boolean writeOnce() {
        double roll = random.nextDouble();
        if (liveUsers.size() < 5 || roll < 0.25) {
            return insertUser();
        } else if (roll < 0.50 || (roll < 0.97 && liveOrders.isEmpty())) {
            return insertOrder();
        } else if (roll < 0.70) {
            return updateUser();
        } else if (roll < 0.88) {
            return updateOrder();
        } else if (roll < 0.97) {
            return deleteOrder();
        }
        return deleteUser();
    }

    private boolean insertUser() {
        long id = nextUserIdOwnedHere();
        if (id < 0) {
            return true;
        }
        List<Write> writes = List.of(write("users", id, Op.INSERT, 1));
        return transact(writes, c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO users "
                    + "(id, username, email, country, created_at, version) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setLong(1, id);
                insert.setString(2, username(id, 1));
                insert.setString(3, "user" + id + "@example.com");
                insert.setString(4, COUNTRIES[(int) (id % COUNTRIES.length)]);
                insert.setTimestamp(5, Timestamp.from(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(id)));
                insert.setLong(6, 1);
                insert.executeUpdate();
            }
            return true;
        }, () -> {
            liveUsers.add(id);
            userVersions.put(id, 1L);
            ordersPerUser.put(id, 0);
        }, () -> { });
    }

    private boolean updateUser() {
        long id = pick(liveUsers);
        long version = userVersions.get(id) + 1;
        List<Write> writes = List.of(write("users", id, Op.UPDATE, version));
        return transact(writes, c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE users SET username = ?, version = ? WHERE id = ?")) {
                update.setString(1, username(id, version));
                update.setLong(2, version);
                update.setLong(3, id);
                return update.executeUpdate() == 1;
            }
        }, () -> userVersions.put(id, version), () -> forgetUser(id));
    }

    private boolean deleteUser() {
        Long id = liveUsers.stream().filter(u -> ordersPerUser.get(u) == 0).findFirst().orElse(null);
        if (id == null) {
            return updateUser();
        }
        long version = userVersions.get(id) + 1;
        List<Write> writes = List.of(write("users", id, Op.DELETE, version));
        return transact(writes, c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                delete.setLong(1, id);
                return delete.executeUpdate() == 1;
            }
        }, () -> forgetUser(id), () -> forgetUser(id));
    }

    private boolean insertOrder() {
        long userId = pick(liveUsers);
        long orderId = ids.orders().getAndIncrement();
        List<Item> items = new ArrayList<>();
        int itemCount = 1 + random.nextInt(3);
        for (int i = 0; i < itemCount; i++) {
            items.add(new Item(ids.orderItems().getAndIncrement(), 1));
        }
        List<Write> writes = new ArrayList<>();
        writes.add(write("orders", orderId, Op.INSERT, 1));
        items.forEach(item -> writes.add(write("order_items", item.id(), Op.INSERT, 1)));
        String username = username(userId, userVersions.get(userId));
        return transact(writes, c -> {
            try (PreparedStatement order = c.prepareStatement("INSERT INTO orders "
                    + "(id, user_id, order_date, total_amount, status, username, version) VALUES (?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement item = c.prepareStatement("INSERT INTO order_items "
                            + "(id, order_id, product_id, quantity, price, version) VALUES (?, ?, ?, ?, ?, ?)")) {
                order.setLong(1, orderId);
                order.setLong(2, userId);
                order.setDate(3, Date.valueOf(LocalDate.of(2020 + (int) (orderId % 6), 1 + (int) (orderId % 12), 1)));
                order.setBigDecimal(4, total(orderId, 1));
                order.setString(5, STATUSES[0]);
                order.setString(6, username);
                order.setLong(7, 1);
                order.executeUpdate();
                for (Item line : items) {
                    item.setLong(1, line.id());
                    item.setLong(2, orderId);
                    item.setLong(3, 1 + line.id() % PRODUCTS);
                    item.setInt(4, 1 + (int) (line.id() % 5));
                    item.setBigDecimal(5, BigDecimal.valueOf(line.id() % 10_000, 2));
                    item.setLong(6, 1);
                    item.addBatch();
                }
                item.executeBatch();
            }
            return true;
        }, () -> {
            orders.put(orderId, new Order(userId, 1, items));
            liveOrders.add(orderId);
            ordersPerUser.merge(userId, 1, Integer::sum);
        }, () -> { });
    }

    private boolean updateOrder() {
        long id = pick(liveOrders);
        Order order = orders.get(id);
        long version = order.version() + 1;
        List<Write> writes = List.of(write("orders", id, Op.UPDATE, version));
        return transact(writes, c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE orders SET status = ?, total_amount = ?, version = ? WHERE id = ?")) {
                update.setString(1, STATUSES[(int) (version % STATUSES.length)]);
                update.setBigDecimal(2, total(id, version));
                update.setLong(3, version);
                update.setLong(4, id);
                return update.executeUpdate() == 1;
            }
        }, () -> orders.put(id, new Order(order.userId(), version, order.items())), () -> forgetOrder(id));
    }

    private boolean deleteOrder() {
        long id = pick(liveOrders);
        Order order = orders.get(id);
        List<Write> writes = new ArrayList<>();
        writes.add(write("orders", id, Op.DELETE, order.version() + 1));
        order.items().forEach(item -> writes.add(write("order_items", item.id(), Op.DELETE, item.version() + 1)));
        return transact(writes, c -> {
            try (PreparedStatement items = c.prepareStatement("DELETE FROM order_items WHERE order_id = ?");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM orders WHERE id = ?")) {
                items.setLong(1, id);
                boolean allItems = items.executeUpdate() == order.items().size();
                delete.setLong(1, id);
                return delete.executeUpdate() == 1 && allItems;
            }
        }, () -> forgetOrder(id), () -> forgetOrder(id));
    }

    /**
     * Runs one transaction and records its writes as acknowledged (commit returned) or in doubt (failed after
     * the connection was made). {@code onCommit} updates what this writer knows; {@code onLost} takes rows out of
     * play when the database no longer had them or when their state is in doubt.
     */
    private boolean transact(List<Write> planned, Transaction transaction, Runnable onCommit, Runnable onLost) {
        Connection c = connection();
        if (c == null) {
            refusedCount.incrementAndGet();
            return false;
        }
        try {
            if (!transaction.run(c)) {
                c.rollback();
                anomalyCount.incrementAndGet();
                log.error("{}: a row written with an acknowledgement was missing for {}", shard.id(), planned);
                onLost.run();
                return true;
            }
            c.commit();
            Instant at = Instant.now();
            synchronized (this) {
                planned.forEach(w -> acknowledged.add(stamp(w, at)));
            }
            acknowledgedCount.incrementAndGet();
            onCommit.run();
        } catch (SQLException | AssertionError e) {
            // AssertionError: with assertions on, pgjdbc 42.7 asserts inside executeBatch when the server dies
            // mid-batch; it is a broken connection like any other.
            Instant at = Instant.now();
            synchronized (this) {
                planned.forEach(w -> inDoubt.add(stamp(w, at)));
            }
            inDoubtCount.incrementAndGet();
            log.debug("{}: transaction in doubt ({}): {}", shard.id(), e.getMessage(), planned);
            onLost.run();
            closeConnection();
        }
        return true;
    }

    private Connection connection() {
        if (connection == null) {
            try {
                connection = shard.connect();
                connection.setAutoCommit(false);
            } catch (SQLException e) {
                closeConnection();
                return null;
            }
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is broken; there is nothing left to release
            }
            connection = null;
        }
    }

    private long nextUserIdOwnedHere() {
        for (int attempt = 0; attempt < 100_000; attempt++) {
            long id = ids.users().getAndIncrement();
            if (shard.id().equals(router.apply(id))) {
                return id;
            }
        }
        log.warn("{}: the router sent none of 100,000 user ids here; no users inserted on this shard", shard.id());
        return -1;
    }

    private void forgetUser(long id) {
        liveUsers.remove(id);
        userVersions.remove(id);
        ordersPerUser.remove(id);
    }

    private void forgetOrder(long id) {
        Order order = orders.remove(id);
        liveOrders.remove(id);
        if (order != null) {
            ordersPerUser.computeIfPresent(order.userId(), (user, count) -> count - 1);
        }
    }

    private long pick(List<Long> keys) {
        return keys.get(random.nextInt(keys.size()));
    }

    private Write write(String table, long key, Op op, long version) {
        return new Write(table, key, op, version, shard.id(), Instant.EPOCH);
    }

    private static Write stamp(Write planned, Instant at) {
        return new Write(planned.table(), planned.key(), planned.op(), planned.version(), planned.shard(), at);
    }

    static String username(long userId, long version) {
        return "user" + userId + "_v" + version;
    }

    private static BigDecimal total(long orderId, long version) {
        return BigDecimal.valueOf((orderId % 1000) * 100 + version * 25, 2);
    }
}
