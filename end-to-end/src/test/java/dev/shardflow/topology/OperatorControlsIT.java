package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.MoveControls;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.TopicEnds;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's controls of a running move, end to end: a dry-run plan creates nothing; a paused move takes no
 * change record and keeps its place; a throttled one takes them at the rate set; cutover waits for the resume; and
 * every moving row still reaches its new owner, each control in the rebalance's history. (Verify, cutover and
 * complete after such a move are those of every other move: {@code RebalanceIT}.)
 */
class OperatorControlsIT {
    private static final Logger log = LoggerFactory.getLogger(OperatorControlsIT.class);
    private static final int USERS = 3_000;
    private static final long RATE = 200;

    @Test
    void aMoveIsPausedResumedAndThrottledWhileItRunsAndStillEndsClean() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).start();
        running.add(testbed);
        try {
            testbed.shards().forEach(SampleSchema::applyTo);
            String two = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()),
                    Scratch.newDirectory("controls")));
            String initial = Planner.plan(two, new Planner.Request(null, List.of("pg2"), null, null)).document();
            Topology before = TopologyLoader.parse(initial, "initial", Map.of());
            DatabaseShard pg1 = testbed.shards().get(0);
            pg1.execute("INSERT INTO users (id, username, email, created_at, version) SELECT g, 'u' || g, "
                    + "'u' || g || '@example.com', '2025-01-01 10:00:00', 1 FROM generate_series(1, " + USERS + ") g");

            TopologyService service = Steps.leadingService(initial, testbed.kafka().connection(), "controls",
                    running);
            running.add(new CaptureService(CaptureOptions.defaults(before, testbed.kafka().connection())
                    .withReplicationFactor(1)).start());
            RebalancerService rebalancer = new RebalancerService(RebalancerOptions.defaults(before,
                    testbed.kafka().connection()).withReplicationFactor(1)
                    .withStateDir(Scratch.newDirectory("controls-streams").toString())).start();
            running.add(rebalancer);
            for (DatabaseShard shard : testbed.shards()) {
                running.add(new WriterService(WriterOptions.defaults(before, shard.id(),
                        testbed.kafka().connection())).start());
            }
            try (Admin admin = testbed.kafka().connection().admin(Map.of())) {
                await("every user in its change topic").atMost(Duration.ofSeconds(120))
                        .until(() -> TopicEnds.sum(admin, "sf.shop.cdc.users") >= USERS);
            }

            Planner.Request addPg2 = new Planner.Request(List.of(TextNode.valueOf("pg2")), null, null, null);
            Rebalance preview = service.preview(addPg2);
            assertThat(preview.plan().targets()).containsExactly("pg2");
            assertThat(service.rebalances()).as("a dry run creates nothing").doesNotContainKey(preview.id());

            Rebalance plan = service.plan(addPg2);
            service.perform(plan.id(), Action.START);
            service.perform(plan.id(), Action.PAUSE);
            assertThat(service.state().orElseThrow().controls()).isEqualTo(new MoveControls(true, 0));
            await("the rebalancer paused the move").atMost(Duration.ofSeconds(60)).until(rebalancer::paused);
            long paused = stable(rebalancer);
            await("nothing taken while paused").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> rebalancer.moveRecordsTaken() == paused);
            log.info("paused with {} change records taken", paused);

            service.throttle(plan.id(), RATE);
            service.perform(plan.id(), Action.RESUME);
            await("the move goes on").atMost(Duration.ofSeconds(30)).until(() -> !rebalancer.paused()
                    && rebalancer.moveRecordsTaken() > paused);
            long from = rebalancer.moveRecordsTaken();
            long startedAt = System.nanoTime();
            await("four seconds at the limit").pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            long taken = rebalancer.moveRecordsTaken() - from;
            double seconds = (System.nanoTime() - startedAt) / 1e9;
            log.info("throttled to {}/s: {} change records in {} s", RATE, taken, String.format("%.1f", seconds));
            assertThat(taken).as("records taken in %.1f s at %d/s (at most one second's burst more)", seconds, RATE)
                    .isPositive().isLessThanOrEqualTo((long) (RATE * (seconds + 1.5)));
            assertThat(((Map<?, ?>) new TopologyApi(service).status(plan.id(), false)).get("controls"))
                    .isEqualTo(new MoveControls(false, RATE));

            service.throttle(plan.id(), 0);
            await("copy done").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);
            service.perform(plan.id(), Action.PAUSE);
            assertThatThrownBy(() -> service.perform(plan.id(), Action.CUTOVER)).as("cutover while paused")
                    .isInstanceOf(WorkflowException.class).hasMessageContaining("paused");
            service.perform(plan.id(), Action.RESUME);
            await("the rebalancer resumed the move").atMost(Duration.ofSeconds(30)).until(() -> !rebalancer.paused());

            Topology after = TopologyLoader.parse(plan.toDocument(), "after", Map.of());
            long moving = java.util.stream.LongStream.rangeClosed(1, USERS)
                    .filter(id -> after.strategy().ownerOf(id).equals("pg2")).count();
            DatabaseShard pg2 = testbed.shards().get(1);
            await("every moving user on pg2, none lost to the pauses").atMost(Duration.ofSeconds(60))
                    .until(() -> count(pg2) == moving);
            log.info("{} of {} users moved to pg2", moving, USERS);
            assertThat(service.rebalance(plan.id()).orElseThrow().history()).extracting(Rebalance.Transition::note)
                    .contains("throttled by the operator to " + RATE + " change records per second",
                            "resumed by the operator", "throttle lifted by the operator")
                    .anyMatch(note -> note.startsWith("paused by the operator"));
        } finally {
            Steps.closeAll(running);
        }
    }

    private static long count(DatabaseShard shard) throws java.sql.SQLException {
        try (java.sql.Connection connection = shard.connect();
                java.sql.Statement statement = connection.createStatement();
                java.sql.ResultSet rows = statement.executeQuery("SELECT count(*) FROM users")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The move's count of records taken once it stopped changing from one second to the next. */
    private static long stable(RebalancerService rebalancer) {
        AtomicLong last = new AtomicLong(-1);
        await("the paused move stops taking records").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> last.getAndSet(rebalancer.moveRecordsTaken()) == rebalancer.moveRecordsTaken());
        return rebalancer.moveRecordsTaken();
    }
}
