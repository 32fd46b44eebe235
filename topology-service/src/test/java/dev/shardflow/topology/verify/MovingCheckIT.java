package dev.shardflow.topology.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The moving-rows check under a pipeline whose order of events the test sets: a scripted stand-in for capture, the
 * rebalancer and the writers watches the owner (PostgreSQL) for verify's watermarks and, for each, makes the owner's
 * next changes and puts the other side (MariaDB) where a lagging pipeline would have it, before it records the
 * watermark as applied there — everything the owner did before the watermark, and some of what it did after.
 *
 * <p>The key under test is deleted, made again and deleted again on the owner between verify's looks, so each look
 * at the owner reads no row, while the other side, behind, shows a row from the middle of that history at each look
 * after a watermark — a different one each time, until it catches up with the delete. Verify must not call it extra;
 * the differences that hold still on both sides it must still report. And the keys left to confirm of many chunks
 * wait out their rechecks together, a watermark per round, not a round per chunk.
 */
class MovingCheckIT {
    private static Testbed testbed;
    private static DatabaseShard owner;
    private static DatabaseShard target;
    private static Topology current;
    private static Topology other;
    private static ShardConnections connections;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        owner = testbed.postgres().get(0);
        target = testbed.mariadb().get(0);
        owner.execute("CREATE TABLE " + ControlTables.FENCE + " (id VARCHAR(64) PRIMARY KEY, epoch BIGINT NOT NULL, "
                + "created_at TIMESTAMP NOT NULL)");
        target.execute("CREATE TABLE " + ControlTables.FENCE_APPLIED + " (source_shard VARCHAR(64) NOT NULL, "
                + "fence_id VARCHAR(64) NOT NULL, PRIMARY KEY (source_shard, fence_id))");
        // the owner holds every key now; adding the MariaDB shard moves some of them there
        current = ShopTopology.of(List.of(owner));
        other = ShopTopology.of(List.of(owner, target),
                HashRing.builder().shards(List.of(owner.id(), target.id())).build(), 1);
        connections = new ShardConnections();
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

    @Test
    void aRowMadeAgainAndDeletedBetweenLooksIsNotExtraWhileDifferencesThatHoldAreReported() throws Exception {
        List<Long> moving = movingUsers(12);
        long churned = moving.get(3);
        long extra = moving.get(6);
        long differs = moving.get(9);
        for (long id = 1; id <= moving.get(moving.size() - 1); id++) {
            boolean moves = moving.contains(id);
            if (id != churned && id != extra) {
                owner.execute(user(id, 1));
            }
            if (moves && id != churned) {
                // the copy and the changes before the first watermark; the stale version of one row stays there
                target.execute(user(id, id == differs ? 0 : 1));
            }
        }

        List<String> script = List.of(
                // the owner makes the row again and deletes it; the other side applied the insert only
                "owner: " + user(churned, 2), "target: " + user(churned, 2), "owner: DELETE FROM users WHERE id = "
                        + churned,
                // again; the other side applied the delete and the new insert, not the second delete
                "owner: " + user(churned, 3), "target: DELETE FROM users WHERE id = " + churned,
                "target: " + user(churned, 3), "owner: DELETE FROM users WHERE id = " + churned,
                // the other side catches up
                "target: DELETE FROM users WHERE id = " + churned);
        int[] stepsAfterWatermark = {3, 4, 1};
        ScriptedPipeline pipeline = new ScriptedPipeline("churn", script, stepsAfterWatermark);
        VerifyReport report = check("users", VerifySettings.defaults().withChunkRows(64), pipeline);

        assertThat(report.details()).extracting(m -> m.kind() + " " + m.table() + " " + m.key())
                .as(report.sample().toString())
                .containsExactlyInAnyOrder("EXTRA users " + extra, "DIFFERS users " + differs);
        assertThat(report.unsettled()).isZero();
        assertThat(pipeline.applied).as("the chunk's watermark and two rechecks, so the row was seen in both middle "
                + "versions").hasSizeGreaterThanOrEqualTo(3);
    }

    /**
     * Under a verify that stays behind its keys, the keys of many chunks left to confirm wait out a watermark per
     * round together, not a round per chunk: each round costs the pipeline's whole latency, and under writes nearly
     * every chunk has a key in flight.
     */
    @Test
    void theKeysLeftToConfirmOfManyChunksShareARoundOfWatermarks() throws Exception {
        List<Long> moving = movingUsers(20);
        List<String> stale = new ArrayList<>();
        for (int i = 0; i < moving.size(); i++) {
            long order = 100 + i;
            owner.execute(order(order, moving.get(i), 1));
            // the first order of each chunk of four is one version behind on the other side, and stays so
            target.execute(order(order, moving.get(i), i % 4 == 0 ? 0 : 1));
            if (i % 4 == 0) {
                stale.add("DIFFERS orders " + order);
            }
        }

        ScriptedPipeline pipeline = new ScriptedPipeline("rounds", List.of(), new int[0]);
        VerifyReport report = check("orders", VerifySettings.defaults().withChunkRows(4), pipeline);

        assertThat(pipeline.failure.get()).as("the scripted pipeline's own error").isNull();
        assertThat(report.details()).extracting(m -> m.kind() + " " + m.table() + " " + m.key())
                .containsExactlyInAnyOrderElementsOf(stale);
        // a watermark per chunk read (the last one empty), then a round each time four keys wait (after the fourth
        // chunk) and one for the last key; a round per chunk would have been five
        assertThat(report.chunks()).isGreaterThanOrEqualTo(5);
        assertThat(pipeline.applied).as("watermarks written: one per chunk and 2 rounds of rechecks")
                .hasSize((int) report.chunks() + 2);
    }

    /** The first {@code count} user ids that adding the MariaDB shard moves there. */
    private static List<Long> movingUsers(int count) {
        List<Long> moving = new ArrayList<>();
        for (long id = 1; moving.size() < count; id++) {
            if (other.strategy().ownerOf(id).equals(target.id())) {
                moving.add(id);
            }
        }
        return moving;
    }

    /** Runs the moving-rows check of {@code table} on the owner while {@code pipeline} stands in for the pipeline. */
    private static VerifyReport check(String table, VerifySettings settings, ScriptedPipeline pipeline)
            throws Exception {
        VerifyTally tally = new VerifyTally("moving", null);
        pipeline.start();
        try {
            MovingCheck.Part part = new MovingCheck.Part(current.table(table).orElseThrow(),
                    current.shard(owner.id()).orElseThrow(), List.of(other.shard(target.id()).orElseThrow()), null,
                    () -> { }, () -> { }, upTo -> { });
            new MovingCheck(connections, new Watermarks(connections, shard -> 1, current.epoch(), pipeline.runId),
                    tally, settings, new Placement(current, other)).run(List.of(part));
        } finally {
            pipeline.interrupt();
            pipeline.join(10_000);
        }
        return tally.report(true, null);
    }

    private static String order(long id, long userId, long version) {
        return "INSERT INTO orders (id, user_id, order_date, total_amount, status, username, version) VALUES (" + id
                + ", " + userId + ", '2026-02-01', " + (10 + version) + ".50, 'pending', NULL, " + version + ")";
    }

    private static String user(long id, long version) {
        return "INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + id + ", 'user" + id
                + "v" + version + "', 'user" + id + "@example.com', 'NL', '2026-03-01 10:20:30', " + version + ")";
    }

    /**
     * Stands in for capture, the rebalancer and the other side's writers: for the n-th watermark verify writes on the
     * owner, runs the next {@code stepsAfterWatermark[n]} statements of the script (none once it ran out), then
     * records the watermark as applied on the other side.
     */
    private static final class ScriptedPipeline extends Thread {
        private final String runId;
        private final List<String> script;
        private final int[] stepsAfterWatermark;
        private final Set<String> applied = new LinkedHashSet<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private int nextStep;

        /** @param run the id of the verify run whose watermarks it applies; those of other runs it leaves */
        ScriptedPipeline(String run, List<String> script, int[] stepsAfterWatermark) {
            super("scripted-pipeline-" + run);
            this.runId = run;
            this.script = script;
            this.stepsAfterWatermark = stepsAfterWatermark;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (Connection source = owner.connect()) {
                while (!isInterrupted()) {
                    for (String watermark : watermarks(source)) {
                        if (applied.add(watermark)) {
                            int steps = applied.size() <= stepsAfterWatermark.length
                                    ? stepsAfterWatermark[applied.size() - 1] : 0;
                            for (int i = 0; i < steps; i++) {
                                String step = script.get(nextStep++);
                                (step.startsWith("owner: ") ? owner : target).execute(step.substring(
                                        step.indexOf(": ") + 2));
                            }
                            target.execute("INSERT INTO " + ControlTables.FENCE_APPLIED + " (source_shard, fence_id) "
                                    + "VALUES ('" + owner.id() + "', '" + watermark + "')");
                        }
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                // the check is over
            } catch (Exception | AssertionError e) {
                failure.set(e);
            }
        }

        /** The run's watermarks on the owner, in the order verify wrote them. */
        private List<String> watermarks(Connection source) throws Exception {
            List<String> ids = new ArrayList<>();
            try (Statement select = source.createStatement();
                    ResultSet rows = select.executeQuery("SELECT id FROM " + ControlTables.FENCE)) {
                while (rows.next()) {
                    if (rows.getString(1).startsWith(Watermarks.idPrefix(runId))) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            ids.sort((a, b) -> Long.compare(sequence(a), sequence(b)));
            return ids;
        }

        private static long sequence(String watermark) {
            return Long.parseLong(watermark.substring(watermark.lastIndexOf('-') + 1));
        }
    }
}
