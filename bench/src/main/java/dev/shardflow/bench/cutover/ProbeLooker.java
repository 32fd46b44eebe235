package dev.shardflow.bench.cutover;

import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Looks, every few milliseconds, for the probes still on their way: the user on pg3, the view row on pg1. */
final class ProbeLooker implements Runnable {
    private final DatabaseShard target;
    private final DatabaseShard viewShard;
    private final Map<String, Probe> probes;
    private volatile boolean stopping;

    ProbeLooker(DatabaseShard target, DatabaseShard viewShard, Map<String, Probe> probes) {
        this.target = target;
        this.viewShard = viewShard;
        this.probes = probes;
    }

    @Override
    public void run() {
        try (Connection onTarget = target.connect(); Connection onView = viewShard.connect()) {
            while (!stopping) {
                try {
                    look(onTarget, "SELECT id, username FROM users WHERE id IN (%s)", true);
                    look(onView, "SELECT user_id, username FROM order_user_view WHERE user_id IN (%s)", false);
                } catch (SQLException e) {
                    System.out.println("looking for the probes failed, looking again: " + e.getMessage());
                    Thread.sleep(1_000);
                }
                Thread.sleep(LatencyBench.LOOK_EVERY.toMillis());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look for the probes: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void look(Connection connection, String sql, boolean applied) throws SQLException {
        List<Probe> waiting = probes.values().stream().filter(p -> applied ? p.appliedMs == 0 : p.viewMs == 0)
                .toList();
        if (waiting.isEmpty()) {
            return;
        }
        String users = waiting.stream().map(p -> Long.toString(p.user)).distinct().collect(Collectors.joining(
                ", "));
        try (PreparedStatement select = connection.prepareStatement(String.format(Locale.ROOT, sql, users));
                ResultSet rows = select.executeQuery()) {
            long now = System.currentTimeMillis();
            while (rows.next()) {
                Probe probe = probes.get(rows.getString(2));
                if (probe == null) {
                    continue;
                }
                // a later name of the same user means this probe's arrived too
                for (Probe earlier : waiting) {
                    if (earlier.user == probe.user && earlier.version <= probe.version) {
                        if (applied) {
                            earlier.appliedMs = now;
                        } else {
                            earlier.viewMs = now;
                        }
                    }
                }
            }
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    void stop() {
        stopping = true;
    }
}
