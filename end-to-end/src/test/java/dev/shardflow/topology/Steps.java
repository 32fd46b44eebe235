package dev.shardflow.topology;

import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The steps the end-to-end tests share: a cutover tried until catch-up allows it, and closing what a test ran. */
final class Steps {
    private static final Logger log = LoggerFactory.getLogger(Steps.class);

    private Steps() {}

    /**
     * Starts a topology service of {@code document} on {@code kafka} (topics with one replica), adds it to
     * {@code running}, and returns once it leads.
     */
    static TopologyService leadingService(String document, KafkaConnection kafka, String instanceId,
            List<AutoCloseable> running) {
        TopologyService service = new TopologyService(TopologyServiceOptions.defaults(document, kafka)
                .withReplicationFactor(1).withInstanceId(instanceId), new SimpleMeterRegistry()).start();
        running.add(service);
        await("the service leads").atMost(Duration.ofSeconds(90)).until(service::leading);
        return service;
    }

    /**
     * Starts the pipeline of {@code before} on {@code testbed}: capture of every source, a rebalancer (state under a
     * scratch directory named for {@code purpose}), a writer per shard; each is added to {@code running}.
     */
    static void startPipeline(Topology before, Testbed testbed, String purpose, List<AutoCloseable> running) {
        String bootstrap = testbed.kafka().bootstrapServers();
        running.add(new CaptureService(CaptureOptions.defaults(before, bootstrap)).start());
        running.add(new RebalancerService(RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                .withStateDir(Scratch.newDirectory(purpose + "-streams").toString())).start());
        for (DatabaseShard shard : testbed.shards()) {
            running.add(new WriterService(WriterOptions.defaults(before, shard.id(), bootstrap)).start());
        }
    }

    /** Asks for the cutover every 500 ms until the service takes it (the lag is under its bound), for 90 s. */
    static Rebalance cutover(TopologyService service, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                return service.perform(id, Action.CUTOVER);
            } catch (WorkflowException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                log.info("cutover not yet: {}", e.getMessage());
                Thread.sleep(500);
            }
        }
    }

    /** Closes what a test started, last first; a failure to close is logged and the rest still closed. */
    /** The testbed's shard of this id. */
    static DatabaseShard shard(Testbed testbed, String id) {
        return testbed.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    /** The first key from {@code from} on that {@code source} owns now and {@code to} owns after the move. */
    static long movingTo(Topology before, Topology after, String source, String to, long from) {
        long id = from;
        while (!before.strategy().ownerOf(id).equals(source) || !after.strategy().ownerOf(id).equals(to)) {
            id++;
        }
        return id;
    }

    static void closeAll(List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                log.warn("closing {}: {}", running.get(i), e.getMessage());
            }
        }
    }
}
