package dev.shardflow.topology.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.registry.ShardConnections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verify of every shard outside a rebalance, on a PostgreSQL and a MariaDB shard: a row on a non-owner is an orphan,
 * a key on both shards a duplicate, a child without its parent cannot be placed, a reference row that differs is
 * reported while the other reference rows — dates, decimals and text read from two engines — compare equal; and a
 * run resumed from a checkpoint reads only the steps after it.
 */
class ChunkedVerifierIT {
    private static Testbed testbed;
    private static Topology topology;
    private static DatabaseShard postgres;
    private static DatabaseShard mariadb;
    private static ShardConnections connections;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        topology = ShopTopology.of(testbed.shards());
        postgres = testbed.postgres().get(0);
        mariadb = testbed.mariadb().get(0);
        connections = new ShardConnections();
        for (long id = 1; id <= 300; id++) {
            owner(id).execute(user(id), "INSERT INTO orders (id, user_id, order_date, total_amount, status, username, "
                    + "version) VALUES (" + id * 10 + ", " + id + ", '2026-02-01', " + (id % 3 == 0 ? "NULL" : "12.50")
                    + ", 'pending', NULL, 1)");
        }
        long orphan = firstOwnedBy(postgres, 1_001);
        mariadb.execute(user(orphan));
        long duplicate = firstOwnedBy(postgres, orphan + 1);
        postgres.execute(user(duplicate));
        mariadb.execute(user(duplicate));
        postgres.execute("INSERT INTO order_items (id, order_id, product_id, quantity, price, version) VALUES "
                + "(1, 999999, 1, 1, 9.99, 1)");
        mariadb.execute("UPDATE products SET price = 1.00 WHERE id = 5");
    }

    @AfterAll
    static void stop() {
        if (connections != null) {
            connections.close();
        }
        if (testbed != null) {
            testbed.close();
        }
    }

    private static DatabaseShard owner(long userId) {
        return topology.strategy().ownerOf(userId).equals(postgres.id()) ? postgres : mariadb;
    }

    private static long firstOwnedBy(DatabaseShard shard, long from) {
        long id = from;
        while (owner(id) != shard) {
            id++;
        }
        return id;
    }

    private static String user(long id) {
        return "INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + id + ", 'user" + id
                + "  ', 'zoë" + id + "@example.com', " + (id % 2 == 0 ? "NULL" : "'X'") + ", '2026-03-01 10:20:30.120', 1)";
    }

    private static ChunkedVerifier verifier() {
        return new ChunkedVerifier(connections, new MarkerPaths(null), VerifySettings.defaults().withChunkRows(64));
    }

    @Test
    void everyShardIsCheckedForOrphansDuplicatesAndReferenceRows() throws Exception {
        List<VerifyProgress> progress = new ArrayList<>();
        VerifyReport report = verifier().verify(new ChunkedVerifier.Scope(topology, null, true), null, progress::add);

        assertThat(report.complete()).isTrue();
        assertThat(report.details()).extracting(m -> m.kind() + " " + m.table() + " on " + m.other())
                .as(report.sample().toString()).containsExactlyInAnyOrder("ORPHAN users on " + mariadb.id(),
                        "DUPLICATE users on " + mariadb.id(), "REFERENCE products on " + mariadb.id());
        assertThat(report.orphans()).isEqualTo(2);
        assertThat(report.mismatches()).as("the one reference row changed, none of the others").isEqualTo(1);
        assertThat(report.unplaceable()).as("the child row without its order").isEqualTo(1);
        long scanned = progress.get(progress.size() - 1).rowsTotal();
        assertThat(report.rowsCompared()).as("each row checked for its owner, and the 12 reference rows compared")
                .isEqualTo(scanned + 12);
        assertThat(report.byTable()).isEqualTo(Map.of("users", Map.of("ORPHAN", 1L, "DUPLICATE", 1L),
                "products", Map.of("REFERENCE", 1L)));
        assertThat(report.byShard()).isEqualTo(Map.of(mariadb.id(), Map.of("ORPHAN", 1L, "DUPLICATE", 1L,
                "REFERENCE", 1L)));
        Mismatch reference = report.details().stream().filter(m -> m.kind() == Mismatch.Kind.REFERENCE).findFirst()
                .orElseThrow();
        assertThat(reference.ownerRow()).containsEntry("price", "129");
        assertThat(reference.otherRow()).containsEntry("price", "1");
        assertThat(progress).isNotEmpty().last().satisfies(p -> {
            assertThat(p.done()).isTrue();
            assertThat(p.rowsRead()).as("the progress counts each row of the scans once").isEqualTo(p.rowsTotal());
        });
    }

    @Test
    void aResumedRunReadsOnlyTheStepsAfterItsCheckpoint() throws Exception {
        ChunkedVerifier.Scope scope = new ChunkedVerifier.Scope(topology, null, true);
        // steps: users on each shard (0, 1), orders (2, 3), order_items (4, 5), products (6)
        VerifyReport partial = new VerifyReport(0, scope.name(), false, 7, 0, 0, 0, 2, 0, List.of(), List.of(), 100,
                new VerifyCursor(2, null));
        VerifyReport resumed = verifier().verify(scope, partial, p -> { });
        assertThat(resumed.orphans()).as("the users steps are not read again").isEqualTo(2);
        assertThat(resumed.details()).extracting(Mismatch::kind).containsExactly(Mismatch.Kind.REFERENCE);
        assertThat(resumed.chunks()).isGreaterThan(7);
        assertThat(resumed.elapsedMs()).isGreaterThanOrEqualTo(100);
    }
}
