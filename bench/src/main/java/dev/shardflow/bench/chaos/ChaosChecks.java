package dev.shardflow.bench.chaos;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.topology.RouterWorkload;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The run's verdict, from the harness's own SQL on every shard (not the project's verifier): no acknowledged write
 * lost, none overwritten by something older, each row on its owner alone, the reference table equal everywhere, and
 * {@code order_user_view} equal to a recomputation from {@code orders} and {@code users}.
 */
final class ChaosChecks {

    /** What the checks found: counts, and one line per finding (the first few kept). */
    record Verdict(long rowsChecked, int lost, int regressed, int unexpected, int orphans, int referenceDiffers,
            int viewDiffers, int transfers, List<String> findings) {
        boolean clean() {
            return violations() == 0;
        }

        int violations() {
            return lost + regressed + unexpected + orphans + referenceDiffers + viewDiffers + transfers;
        }
    }

    private record Row(String shard, long version, long shardKey) {}

    private ChaosChecks() {}

    /**
     * @param shards every shard, in the ring or not
     * @param ring the shards of the ring in force, which must hold equal reference tables
     * @param owner the topology in force after the run (the new one after complete, the old after a rollback or
     *     cancel)
     * @param acknowledged the workload's last acknowledged write of each row it did not leave in doubt
     * @param transfers the transfers' outcomes, or null where none ran
     */
    static Verdict check(Collection<? extends DatabaseShard> shards, Collection<? extends DatabaseShard> ring,
            Topology owner, Collection<RouterWorkload.Expected> acknowledged, TransferWorkload transfers,
            DatabaseShard viewShard) throws SQLException {
        List<String> findings = new ArrayList<>();
        int orphans = 0;
        Map<String, Map<Long, List<Row>>> rows = new HashMap<>();
        for (DatabaseShard shard : shards) {
            for (String table : List.of("users", "orders")) {
                String key = table.equals("users") ? "id" : "user_id";
                try (Connection c = shard.connect(); Statement s = c.createStatement();
                        ResultSet r = s.executeQuery("SELECT id, version, " + key + " FROM " + table)) {
                    while (r.next()) {
                        Row row = new Row(shard.id(), r.getLong(2), r.getLong(3));
                        rows.computeIfAbsent(table, t -> new HashMap<>()).computeIfAbsent(r.getLong(1),
                                id -> new ArrayList<>()).add(row);
                        if (!owner.strategy().ownerOf(row.shardKey()).equals(shard.id())) {
                            orphans++;
                            note(findings, "orphan: " + table + " " + r.getLong(1) + " on " + shard.id() + " (owner "
                                    + owner.strategy().ownerOf(row.shardKey()) + ")");
                        }
                    }
                }
            }
        }
        int lost = 0;
        int regressed = 0;
        int unexpected = 0;
        for (RouterWorkload.Expected write : acknowledged) {
            String ownerId = owner.strategy().ownerOf(write.userId());
            Row onOwner = rows.getOrDefault(write.table(), Map.of()).getOrDefault(write.id(), List.of()).stream()
                    .filter(row -> row.shard().equals(ownerId)).findFirst().orElse(null);
            if (write.version() == -1) {
                if (onOwner != null) {
                    regressed++;
                    note(findings, "regressed: " + write.table() + " " + write.id() + " deleted (acknowledged), back "
                            + "at version " + onOwner.version() + " on " + ownerId);
                }
            } else if (onOwner == null) {
                lost++;
                note(findings, "lost: " + write.table() + " " + write.id() + " version " + write.version()
                        + " acknowledged, not on its owner " + ownerId);
            } else if (onOwner.version() < write.version()) {
                regressed++;
                note(findings, "regressed: " + write.table() + " " + write.id() + " at version " + onOwner.version()
                        + " on " + ownerId + ", version " + write.version() + " acknowledged");
            } else if (onOwner.version() > write.version()) {
                unexpected++; // a version no write acknowledged nor left in doubt: not what the application wrote
                note(findings, "unexpected: " + write.table() + " " + write.id() + " at version " + onOwner.version()
                        + " on " + ownerId + ", last acknowledged " + write.version());
            }
        }
        int referenceDiffers = referenceDiffers(ring, findings);
        int viewDiffers = viewDiffers(shards, owner, viewShard, findings);
        int transferViolations = 0;
        if (transfers != null) {
            TransferChecks.Found found = TransferChecks.check(shards, owner, transfers, findings);
            orphans += found.orphans();
            transferViolations = found.violations();
        }
        return new Verdict(acknowledged.size(), lost, regressed, unexpected, orphans, referenceDiffers, viewDiffers,
                transferViolations, List.copyOf(findings));
    }

    /** The shards whose {@code products} differ from the first shard's. */
    private static int referenceDiffers(Collection<? extends DatabaseShard> shards, List<String> findings)
            throws SQLException {
        Map<Long, String> first = null;
        String firstId = null;
        int differing = 0;
        for (DatabaseShard shard : shards) {
            Map<Long, String> products = new TreeMap<>();
            try (Connection c = shard.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT id, name, price FROM products")) {
                while (r.next()) {
                    products.put(r.getLong(1), r.getString(2) + "|" + r.getBigDecimal(3).stripTrailingZeros()
                            .toPlainString());
                }
            }
            if (first == null) {
                first = products;
                firstId = shard.id();
            } else if (!first.equals(products)) {
                differing++;
                note(findings, "reference: products on " + shard.id() + " (" + products.size() + " rows) differ from "
                        + firstId + " (" + first.size() + " rows)");
            }
        }
        return differing;
    }

    /**
     * The rows of {@code order_user_view} that differ from a recomputation: every order on its owner joined with its
     * user on the user's owner.
     */
    static int viewDiffers(Collection<? extends DatabaseShard> shards, Topology owner, DatabaseShard viewShard,
            List<String> findings) throws SQLException {
        Map<Long, List<Object>> users = new HashMap<>();
        Map<Long, List<Object>> orders = new HashMap<>();
        for (DatabaseShard shard : shards) {
            try (Connection c = shard.connect(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT id, username, email, country FROM users")) {
                    while (r.next()) {
                        if (owner.strategy().ownerOf(r.getLong(1)).equals(shard.id())) {
                            users.put(r.getLong(1), Arrays.asList(r.getString(2), r.getString(3), trimmed(r.getString(4))));
                        }
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT id, user_id, total_amount, status FROM orders")) {
                    while (r.next()) {
                        if (owner.strategy().ownerOf(r.getLong(2)).equals(shard.id())) {
                            orders.put(r.getLong(1), Arrays.asList(r.getLong(2), amount(r.getBigDecimal(3)),
                                    r.getString(4)));
                        }
                    }
                }
            }
        }
        Map<Long, List<Object>> expected = new HashMap<>();
        orders.forEach((id, order) -> {
            List<Object> user = users.get((Long) order.get(0));
            if (user != null) {
                expected.put(id, Arrays.asList(order.get(0), user.get(0), user.get(1), user.get(2), order.get(1),
                        order.get(2)));
            }
        });
        Map<Long, List<Object>> view = new HashMap<>();
        try (Connection c = viewShard.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT order_id, user_id, username, email, country, total_amount, status "
                        + "FROM order_user_view")) {
            while (r.next()) {
                view.put(r.getLong(1), Arrays.asList(r.getLong(2), r.getString(3), r.getString(4), trimmed(r.getString(5)),
                        amount(r.getBigDecimal(6)), r.getString(7)));
            }
        }
        int differing = 0;
        for (Map.Entry<Long, List<Object>> row : expected.entrySet()) {
            List<Object> found = view.get(row.getKey());
            if (!Objects.equals(found, row.getValue())) {
                differing++;
                note(findings, "view: order " + row.getKey() + " is " + found + ", recomputed " + row.getValue());
            }
        }
        for (Long id : view.keySet()) {
            if (!expected.containsKey(id)) {
                differing++;
                note(findings, "view: order " + id + " is in the view but no longer an order of a user");
            }
        }
        return differing;
    }

    private static String trimmed(String text) {
        return text == null ? null : text.trim();
    }

    private static String amount(BigDecimal value) {
        return value == null ? null : value.stripTrailingZeros().toPlainString();
    }

    static void note(List<String> findings, String finding) {
        if (findings.size() < 20) {
            findings.add(finding);
        }
    }
}
