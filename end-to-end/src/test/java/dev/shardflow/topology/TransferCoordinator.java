package dev.shardflow.topology;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.router.tx.TransactionAbortedException;
import dev.shardflow.router.tx.TransactionInDoubtException;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A process that coordinates the sharding chapter's {@code transfer_user_data} through {@link ShardRouter}: each
 * transfer takes an amount from one user's balance (refused below zero) and gives it to another, with a log row on
 * each side, in one cross-shard transaction. Several threads run transfers numbered from {@code first}, at most
 * {@code perSecond} together, and every step is appended to a journal before and after it happens — {@code S n from to
 * amount} when transfer {@code n} starts, {@code C n} when it committed, {@code A n} when it was rolled back,
 * {@code D n} when it is in doubt, {@code E n} on any other failure — flushed line by line, so that what a SIGKILL
 * cut short is known from the journal alone.
 *
 * <p>Arguments: topology file, bootstrap servers, router id, first transfer, count, threads, transfers per second,
 * users, seed, journal file.
 */
public final class TransferCoordinator {
    private TransferCoordinator() {}

    public static void main(String[] args) throws Exception {
        Topology topology = TopologyLoader.load(Path.of(args[0]), System.getenv());
        String bootstrap = args[1];
        String routerId = args[2];
        long first = Long.parseLong(args[3]);
        long count = Long.parseLong(args[4]);
        int threads = Integer.parseInt(args[5]);
        int perSecond = Integer.parseInt(args[6]);
        int users = Integer.parseInt(args[7]);
        long seed = Long.parseLong(args[8]);
        try (PrintStream journal = new PrintStream(new FileOutputStream(args[9], true), true, StandardCharsets.UTF_8);
                ShardRouter router = ShardRouter.builder(topology, bootstrap).routerId(routerId)
                        .fenceWait(Duration.ofSeconds(60)).poolSize(threads).start()) {
            AtomicLong next = new AtomicLong(first);
            long intervalNanos = 1_000_000_000L / perSecond;
            long startNanos = System.nanoTime();
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(() -> {
                    while (true) {
                        long n = next.getAndIncrement();
                        if (n >= first + count) {
                            return;
                        }
                        LockSupport.parkNanos(startNanos + (n - first) * intervalNanos - System.nanoTime());
                        transfer(router, journal, n, users, seed);
                    }
                }, "transfer-" + t);
                thread.start();
                running.add(thread);
            }
            for (Thread thread : running) {
                thread.join();
            }
            journal.println("END");
        }
    }

    private static void transfer(ShardRouter router, PrintStream journal, long n, int users, long seed) {
        Random random = new Random(seed * 1_000_003L + n);
        long from = 1 + random.nextInt(users);
        long to = 1 + (from + random.nextInt(users - 1)) % users;
        long amount = 1 + random.nextInt(50);
        journal.println("S " + n + " " + from + " " + to + " " + amount);
        try {
            router.transaction(List.of(from, to), tx -> {
                try (PreparedStatement debit = tx.on(from).prepareStatement("UPDATE user_balances SET balance = "
                        + "balance - ? WHERE user_id = ? AND balance >= ?")) {
                    debit.setLong(1, amount);
                    debit.setLong(2, from);
                    debit.setLong(3, amount);
                    if (debit.executeUpdate() != 1) {
                        throw new Refused("user " + from + " has less than " + amount);
                    }
                }
                try (PreparedStatement credit = tx.on(to).prepareStatement("UPDATE user_balances SET balance = "
                        + "balance + ? WHERE user_id = ?")) {
                    credit.setLong(1, amount);
                    credit.setLong(2, to);
                    if (credit.executeUpdate() != 1) {
                        throw new SQLException("user " + to + " has no balance");
                    }
                }
                logRow(tx.on(from), n * 2, from, from, to, amount, "outgoing");
                logRow(tx.on(to), n * 2 + 1, to, from, to, amount, "incoming");
                return null;
            });
            journal.println("C " + n);
        } catch (TransactionAbortedException e) {
            journal.println("A " + n + " " + oneLine(e));
        } catch (TransactionInDoubtException e) {
            journal.println("D " + n + " " + oneLine(e));
        } catch (Refused e) { // both users on one shard: a local transaction, rolled back
            journal.println("A " + n + " " + oneLine(e));
        } catch (SQLException | RuntimeException e) {
            journal.println("E " + n + " " + oneLine(e));
        }
    }

    /** Inserts one side's {@code transfer_logs} row of a transfer (also the chaos harness's transfers'). */
    public static void logRow(Connection connection, long id, long owner, long from, long to, long amount,
            String type)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO transfer_logs (id, user_id, "
                + "from_user, to_user, amount, type) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, id);
            insert.setLong(2, owner);
            insert.setLong(3, from);
            insert.setLong(4, to);
            insert.setLong(5, amount);
            insert.setString(6, type);
            insert.executeUpdate();
        }
    }

    /** A transfer refused for want of money. */
    private static final class Refused extends SQLException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private static String oneLine(Exception e) {
        return String.valueOf(e.getMessage()).replace('\n', ' ');
    }
}
