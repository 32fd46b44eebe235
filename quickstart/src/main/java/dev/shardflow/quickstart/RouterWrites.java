package dev.shardflow.quickstart;

import dev.shardflow.router.RetryableRouteException;
import dev.shardflow.router.ShardRouter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The application of the quickstart: threads that rename users and update their orders through {@link ShardRouter}
 * at a steady rate, remembering every write the database acknowledged, so that afterwards each can be looked for on
 * its owner. A write refused with a retryable error (a fence, a rebuild) is not acknowledged and not remembered; one
 * that failed otherwise is in doubt and its row is left alone from then on.
 */
final class RouterWrites implements AutoCloseable {
    private final ShardRouter router;
    private final int users;
    private final Map<Long, Long> acknowledged = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> inDoubt = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    RouterWrites(ShardRouter router, int users) {
        this.router = router;
        this.users = users;
    }

    RouterWrites start(int threadCount, int writesPerSecond) {
        for (int t = 0; t < threadCount; t++) {
            int slice = t;
            Thread thread = new Thread(() -> run(new Random(slice), slice, threadCount,
                    Math.max(1, writesPerSecond / threadCount)), "quickstart-writes-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        return this;
    }

    /** Each thread writes its own users (those equal to its slice modulo the threads), so versions never race. */
    private void run(Random random, int slice, int threadCount, int perSecond) {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        while (!stop) {
            next += interval;
            LockSupport.parkNanos(next - System.nanoTime());
            long user = 1 + slice + (long) threadCount * random.nextInt(Math.max(1, users / threadCount));
            if (user > users || inDoubt.containsKey(user)) {
                continue;
            }
            long version = acknowledged.getOrDefault(user, 1L) + 1;
            try {
                router.write(user, connection -> {
                    update(connection, "UPDATE users SET username = ?, version = ? WHERE id = ?", "user" + user + "v"
                            + version, version, user);
                    update(connection, "UPDATE orders SET version = ? WHERE user_id = ?", null, version, user);
                    return null;
                });
                acknowledged.put(user, version);
            } catch (RetryableRouteException e) {
                refused.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
                inDoubt.put(user, true);
            }
        }
    }

    private static void update(Connection connection, String sql, String name, long version, long user)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int p = 1;
            if (name != null) {
                statement.setString(p++, name);
            }
            statement.setLong(p++, version);
            statement.setLong(p, user);
            statement.executeUpdate();
        }
    }

    long acknowledged() {
        return acknowledged.size() == 0 ? 0 : acknowledged.values().stream().mapToLong(v -> v - 1).sum();
    }

    long refused() {
        return refused.get();
    }

    /**
     * Looks for every acknowledged write on the owner the router names now: the user at its last version.
     *
     * @return the writes found, and the first few missing
     */
    Check check() throws SQLException {
        long found = 0;
        List<String> missing = new ArrayList<>();
        for (Map.Entry<Long, Long> write : acknowledged.entrySet()) {
            String owner = router.route(write.getKey()).shard();
            try (Connection connection = router.dataSource(owner).getConnection();
                    PreparedStatement select = connection.prepareStatement("SELECT version FROM users WHERE id = ?")) {
                select.setLong(1, write.getKey());
                try (ResultSet result = select.executeQuery()) {
                    if (result.next() && result.getLong(1) == write.getValue()) {
                        found++;
                    } else if (missing.size() < 10) {
                        missing.add("user " + write.getKey() + " version " + write.getValue() + " on " + owner);
                    }
                }
                connection.rollback();
            }
        }
        return new Check(acknowledged.size(), found, missing, inDoubt.size());
    }

    record Check(long users, long found, List<String> missing, long inDoubt) {}

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }
}
