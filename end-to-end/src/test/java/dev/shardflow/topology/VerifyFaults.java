package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.topology.verify.Mismatch;
import dev.shardflow.topology.verify.VerifyReport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What verify must find during a rebalance of the shop keyspace: rows written straight into the shards with values
 * whose text differs between engines (padded {@code CHAR}, trailing spaces, fractions of seconds, decimal scale,
 * nulls) on keys that move, which must compare equal; and four faults on those rows, which the workload never
 * writes — a changed value and a deleted row on the other side, an extra row there, and an orphan on a shard that
 * owns neither side — which must each be reported, and then are repaired.
 */
final class VerifyFaults {
    private final Map<String, DatabaseShard> shards;
    private final Topology before;
    private final Topology after;
    private final long changedUser;
    private final long deletedOrder;
    private final long extraUser;
    private final long orphanUser;
    private final String orphanShard;
    private final long first;
    private final int count;

    /** @param first the first id of the rows this class writes, {@code count} of them, that no workload writes */
    VerifyFaults(Collection<? extends DatabaseShard> shards, Topology before, Topology after, long first, int count) {
        this.shards = shards.stream().collect(Collectors.toMap(DatabaseShard::id, Function.identity()));
        this.before = before;
        this.after = after;
        this.first = first;
        this.count = count;
        List<Long> moving = new ArrayList<>();
        for (long user = first; user < first + count && moving.size() < 2; user++) {
            if (moves(user)) {
                moving.add(user);
            }
        }
        this.changedUser = moving.get(0);
        this.deletedOrder = moving.get(1) * 10;
        long extra = 900_001;
        while (!moves(extra)) {
            extra++;
        }
        this.extraUser = extra;
        long orphan = 910_001;
        while (moves(orphan)) {
            orphan++;
        }
        this.orphanUser = orphan;
        String owner = before.strategy().ownerOf(orphan);
        this.orphanShard = before.strategy().shards().stream().filter(s -> !s.equals(owner)).findFirst().orElseThrow();
    }

    private boolean moves(long user) {
        return !before.strategy().ownerOf(user).equals(after.strategy().ownerOf(user));
    }

    /**
     * Writes the users with an order each, straight into their owners, with values that read back differently from
     * MariaDB and PostgreSQL; returns how many of them move, from which engines.
     */
    Map<String, Long> writeCrossEngineRows() {
        for (long user = first; user < first + count; user++) {
            DatabaseShard owner = shards.get(before.strategy().ownerOf(user));
            int kind = (int) (user % 4);
            String country = switch (kind) {
                case 0 -> "NULL";
                case 1 -> "'X'"; // CHAR(2): PostgreSQL pads it to 'X ', MariaDB does not
                default -> "'FR'";
            };
            String createdAt = kind == 2 ? "'2026-03-01 10:20:30.120'" : "'2026-03-01 10:20:30'";
            String total = switch (kind) {
                case 0 -> "NULL";
                case 1 -> "12.50";
                case 2 -> "0.10";
                default -> "1000";
            };
            owner.execute("INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + user
                    + ", 'edge " + user + "  ', 'zoë" + user + "@example.com', " + country + ", " + createdAt
                    + ", 1)", "INSERT INTO orders (id, user_id, order_date, total_amount, status, username, version) "
                    + "VALUES (" + user * 10 + ", " + user + ", '2026-02-28', " + total + ", 'shipped', "
                    + (kind == 3 ? "'edge " + user + "  '" : "NULL") + ", 1)");
        }
        Map<String, Long> moving = new java.util.TreeMap<>();
        for (long user = first; user < first + count; user++) {
            if (moves(user)) {
                moving.merge(shards.get(before.strategy().ownerOf(user)).engine().name().toLowerCase(), 1L, Long::sum);
            }
        }
        return moving;
    }

    void inject() {
        DatabaseShard changedTarget = shards.get(after.strategy().ownerOf(changedUser));
        changedTarget.execute("UPDATE users SET email = 'tampered@example.com' WHERE id = " + changedUser);
        shards.get(after.strategy().ownerOf(deletedOrder / 10)).execute("DELETE FROM orders WHERE id = "
                + deletedOrder);
        shards.get(after.strategy().ownerOf(extraUser)).execute(insertUser(extraUser));
        shards.get(orphanShard).execute(insertUser(orphanUser));
    }

    private static String insertUser(long id) {
        return "INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + id + ", 'stray"
                + id + "', 's" + id + "@example.com', 'DE', '2026-01-01 00:00:00', 1)";
    }

    /** The moving-rows report names the changed, the deleted and the extra row, and nothing else. */
    void assertMovingFaultsFound(VerifyReport report) {
        assertThat(report.complete()).isTrue();
        assertThat(report.details()).extracting(m -> m.kind() + " " + m.table() + " " + m.key())
                .as(report.sample().toString())
                .containsExactlyInAnyOrder("DIFFERS users " + changedUser, "MISSING orders " + deletedOrder,
                        "EXTRA users " + extraUser);
        assertThat(report.mismatches()).isEqualTo(3);
        Mismatch differs = report.details().stream().filter(m -> m.kind() == Mismatch.Kind.DIFFERS).findFirst()
                .orElseThrow();
        assertThat(differs.ownerRow()).containsEntry("email", "zoë" + changedUser + "@example.com");
        assertThat(differs.otherRow()).containsEntry("email", "tampered@example.com");
    }

    /** The report of every shard adds the orphan, on the shard it was put on. */
    void assertOrphanFound(VerifyReport report) {
        assertThat(report.orphans()).as(report.sample().toString()).isEqualTo(1);
        assertThat(report.details()).filteredOn(m -> m.kind() == Mismatch.Kind.ORPHAN)
                .extracting(m -> m.table() + " " + m.key() + " on " + m.other())
                .containsExactly("users " + orphanUser + " on " + orphanShard);
        assertThat(report.mismatches()).isEqualTo(3);
    }

    void repair() {
        shards.get(after.strategy().ownerOf(changedUser)).execute("UPDATE users SET email = 'zoë" + changedUser
                + "@example.com' WHERE id = " + changedUser);
        // a change on the owner carries the deleted row to the other side again
        shards.get(before.strategy().ownerOf(deletedOrder / 10)).execute("UPDATE orders SET status = 'delivered' "
                + "WHERE id = " + deletedOrder);
        shards.get(after.strategy().ownerOf(extraUser)).execute("DELETE FROM users WHERE id = " + extraUser);
        shards.get(orphanShard).execute("DELETE FROM users WHERE id = " + orphanUser);
    }
}
