package dev.shardflow.bench.chaos;

import dev.shardflow.bench.chaos.TransferWorkload.Outcome;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The transfers' verdict, from the harness's own SQL on every shard: no prepared transaction left anywhere, the sum of
 * the balances unchanged, every user's balance on its owner, and each transfer's two log rows on their owners both or
 * neither — both for a committed one, neither for one rolled back or not run — and nowhere else.
 */
final class TransferChecks {

    /** Rows of the transfer tables off their owner, and every other violation. */
    record Found(int orphans, int violations) {}

    private TransferChecks() {}

    static Found check(Collection<? extends DatabaseShard> shards, Topology owner, TransferWorkload transfers,
            List<String> findings) throws SQLException {
        int orphans = 0;
        int violations = 0;
        long sum = 0;
        Set<Long> balances = new HashSet<>();
        Map<Long, Integer> logRows = new HashMap<>();
        for (DatabaseShard shard : shards) {
            int prepared = prepared(shard);
            if (prepared > 0) {
                violations += prepared;
                ChaosChecks.note(findings, "prepared: " + prepared + " transaction(s) left prepared on " + shard.id());
            }
            try (Connection c = shard.connect(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT user_id, balance FROM user_balances")) {
                    while (r.next()) {
                        if (owner.strategy().ownerOf(r.getLong(1)).equals(shard.id())) {
                            sum += r.getLong(2);
                            balances.add(r.getLong(1));
                        } else {
                            orphans++;
                            ChaosChecks.note(findings, "orphan: user_balances " + r.getLong(1) + " on " + shard.id());
                        }
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT id, user_id FROM transfer_logs")) {
                    while (r.next()) {
                        if (owner.strategy().ownerOf(r.getLong(2)).equals(shard.id())) {
                            logRows.merge(r.getLong(1) / 2, 1, Integer::sum);
                        } else {
                            orphans++;
                            ChaosChecks.note(findings, "orphan: transfer_logs " + r.getLong(1) + " on " + shard.id());
                        }
                    }
                }
            }
        }
        if (sum != transfers.totalBalance()) {
            violations++;
            ChaosChecks.note(findings, "transfers: the balances sum to " + sum + ", " + transfers.totalBalance()
                    + " at the start");
        }
        int users = transfers.users();
        if (balances.size() != users) {
            violations += users - balances.size();
            ChaosChecks.note(findings, "transfers: " + (users - balances.size()) + " user(s) without a balance on "
                    + "their owner");
        }
        Map<Long, Outcome> outcomes = transfers.outcomes();
        for (Map.Entry<Long, Integer> row : logRows.entrySet()) {
            Outcome outcome = outcomes.get(row.getKey());
            if (row.getValue() != 2) {
                violations++;
                ChaosChecks.note(findings, "transfers: transfer " + row.getKey() + " (" + outcome + ") on one side "
                        + "only");
            } else if (outcome == null || outcome == Outcome.ROLLED_BACK || outcome == Outcome.NOT_RUN) {
                violations++;
                ChaosChecks.note(findings, "transfers: transfer " + row.getKey() + " is on both sides, "
                        + (outcome == null ? "never started" : outcome));
            }
        }
        for (Map.Entry<Long, Outcome> transfer : outcomes.entrySet()) {
            if (transfer.getValue() == Outcome.COMMITTED && !logRows.containsKey(transfer.getKey())) {
                violations++;
                ChaosChecks.note(findings, "transfers: transfer " + transfer.getKey() + " committed, on neither side");
            }
        }
        return new Found(orphans, violations);
    }

    /** The transactions prepared on {@code shard} and not yet committed or rolled back. */
    private static int prepared(DatabaseShard shard) throws SQLException {
        String sql = shard.engine() == Engine.POSTGRESQL ? "SELECT gid FROM pg_prepared_xacts WHERE database = "
                + "current_database()" : "XA RECOVER";
        int count = 0;
        try (Connection c = shard.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                count++;
            }
        }
        return count;
    }
}
