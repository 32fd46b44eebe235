package dev.shardflow.topology;

import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.kafka.CaptureStatus;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.Health;
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.registry.Leadership;
import dev.shardflow.topology.registry.RegistryLog;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.topology.tx.TransactionRecovery;
import dev.shardflow.topology.verify.ChunkedVerifier;
import dev.shardflow.topology.verify.ShardRows;
import dev.shardflow.topology.verify.TooLargeRows;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.verify.VerifyRuns;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.MoveWatch;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceDriver;
import dev.shardflow.topology.workflow.SchemaHolds;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology service of one keyspace, as a library: every instance follows the registry; the one the election
 * picks leads — it fences any former leader's registry writes, publishes the topology in force if none is, and runs
 * the rebalance workflow on one thread, resuming whatever a crash interrupted. Operator actions go to the leader;
 * another instance refuses them with {@link Kind#NOT_LEADER}.
 */
public final class TopologyService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopologyService.class);

    private final TopologyServiceOptions options;
    private final TopicNames topics;
    private final String keyspace;
    private final Admin admin;
    private final ShardConnections connections;
    private final KafkaClientMetrics adminMetrics;
    private final Timer pauses;
    private final VerifyRuns verifyRuns;
    private final LeaderWorkflow workflow;
    private final OperatorVerify verify;
    private final VerifyJobs jobs = new VerifyJobs();
    private final TopologyMetrics metrics;
    private final TransactionRecovery transactions;
    private Leadership leadership;
    private volatile Map<String, CaptureReport> captureReports = Map.of();
    private volatile long captureReadNanos;

    public TopologyService(TopologyServiceOptions options, MeterRegistry meters) {
        this.options = options;
        this.connections = new ShardConnections(meters);
        this.topics = TopicNames.of(options.topology());
        this.keyspace = options.topology().keyspace();
        AdminClient client = options.kafka().admin(Map.of());
        this.admin = client;
        this.adminMetrics = new KafkaClientMetrics(client);
        adminMetrics.bindTo(meters);
        this.pauses = Timer.builder("shardflow.topology.cutover.pause").description("how long a fence held writes to "
                + "moving keys").publishPercentiles(0.5, 0.99).register(meters);
        this.transactions = new TransactionRecovery(connections, this::state,
                options.workflow().transactionRecoveryAge(), meters);
        this.workflow = new LeaderWorkflow(options, admin, connections, pauses, transactions);
        this.verifyRuns = new VerifyRuns(new ChunkedVerifier(connections, new MarkerPaths(admin),
                options.workflow().verify(), new TooLargeRows(options.kafka(), options.topology())),
                meters);
        this.metrics = new TopologyMetrics(this, workflow, meters);
        this.verify = new OperatorVerify(workflow, verifyRuns, this::state, metrics::activeState);
    }

    public TopologyService start() {
        options.kafka().verify(KafkaConnection.START_TIMEOUT); // a wrong address or credential stops it here
        ServiceTopics.ensure(admin, topics, options.replicationFactor(), options.kafka());
        metrics.start();
        leadership = new Leadership(options.kafka(), keyspace, topics, options.instanceId(),
                options.leaderSessionTimeout(), new Leadership.Listener() {
                    @Override
                    public void elected() {
                        workflow.elected();
                    }

                    @Override
                    public void deposed() {
                        workflow.deposed();
                    }
                }).start();
        log.info("topology service {} of {} started; waiting for the election", options.instanceId(), keyspace);
        return this;
    }

    public boolean leading() {
        return workflow.driver().isPresent();
    }

    /** Whether this instance leads, stands by, or was elected and cannot yet take the lead (then with why). */
    public Health.Loop leadership() {
        return workflow.loop();
    }

    /** The topology state in force as this instance last saw it. */
    public Optional<TopologyState> state() {
        Optional<RebalanceDriver> driver = workflow.driver();
        if (driver.isPresent()) {
            return Optional.of(driver.get().state());
        }
        return RegistryLog.read(options.kafka(), keyspace, topics).state();
    }

    public Optional<Rebalance> rebalance(String id) {
        return Optional.ofNullable(rebalances().get(id));
    }

    public Map<String, Rebalance> rebalances() {
        return workflow.driver().map(RebalanceDriver::rebalances)
                .orElseGet(() -> RegistryLog.read(options.kafka(), keyspace, topics).rebalances());
    }

    /**
     * The schema changes the writers hold rebalance {@code id} behind, read from its shards now; empty when none is.
     *
     * @throws WorkflowException NOT_FOUND for an unknown rebalance
     */
    public List<SchemaHolds.Hold> schemaHolds(String id) {
        // read from the shards directly, never through the workflow's thread: a status must answer during a fence
        Rebalance rebalance = rebalance(id).orElseThrow(() -> new WorkflowException(WorkflowException.Kind.NOT_FOUND,
                "no rebalance " + id));
        return new SchemaHolds(connections).held(SchemaHolds.shardsOf(rebalance));
    }

    /** The rebalance that is not over, or else the latest one. */
    public Optional<Rebalance> latest() {
        return workflow.call(RebalanceDriver::latest);
    }

    public Rebalance plan(Planner.Request request) {
        return workflow.call(d -> d.plan(request));
    }

    /** What {@link #plan} would plan now, refused for the same reasons; nothing is created or published. */
    public Rebalance preview(Planner.Request request) {
        return workflow.call(d -> d.preview(request));
    }

    /** Sets the most change records per second the move of rebalance {@code id} forwards; 0 lifts the limit. */
    public Rebalance throttle(String id, long maxRowsPerSecond) {
        return workflow.call(d -> d.throttle(id, maxRowsPerSecond));
    }

    /** Holds the writes of a shard while it is rebuilt, or releases them; see {@link RebalanceDriver#hold}. */
    public TopologyState hold(String shard, boolean held) {
        return workflow.call(d -> d.hold(shard, held));
    }

    public Rebalance perform(String id, Action action) {
        return perform(id, action, false);
    }

    /** An operator's action; {@code force} lets a cutover go without a clean verify ({@link RebalanceDriver}). */
    public Rebalance perform(String id, Action action, boolean force) {
        if (action == Action.VERIFY && !force) {
            return verify(id);
        }
        return workflow.call(d -> d.perform(id, action, force));
    }

    /**
     * Compares the moving rows on both sides, chunk by chunk under writes, and records the result; a clean one
     * before cutover is VERIFIED. A verify cut short (a crash, a lost lead) resumes where its last checkpoint was.
     */
    public Rebalance verify(String id) {
        return verify.rebalance(id);
    }

    /**
     * Verifies the keyspace outside the workflow: with {@code all}, every row of every shard against its owner and
     * every reference table, and during a rebalance the moving rows as well. Refused while cleanup deletes rows.
     */
    public VerifyReport verifyKeyspace(boolean all) {
        return verify.keyspace(all);
    }

    public VerifyRuns verifyRuns() {
        return verifyRuns;
    }

    /**
     * Starts a verify of rebalance {@code id} as a job and returns it at once; its checks (the rebalance exists, its
     * state allows a verify) are made first, and refuse the request.
     */
    public Object startVerify(String id) {
        verify.check(id);
        return jobs.start("rebalance", id, () -> verify(id).verification());
    }

    /** Starts {@link #verifyKeyspace} as a job and returns it at once. */
    public Object startVerifyKeyspace(boolean all) {
        verify.checkKeyspace();
        return jobs.start(all ? "all" : "moving", null, () -> verifyKeyspace(all));
    }

    /** The verify job running now, or the last one; {@code withRows}: its report's rows included. */
    public Optional<Object> verifyJob(boolean withRows) {
        return jobs.current().map(job -> withRows ? job : job.withoutRows());
    }

    /** How far the active rebalance's move is, read from Kafka. */
    public MoveWatch moves() {
        return workflow.moves();
    }

    /**
     * Each source shard's capture as its process last reported it ({@code <prefix>.capture.status}), read again at
     * most every 2 s however many ask.
     */
    public synchronized Map<String, CaptureReport> captureReports() {
        if (captureReadNanos == 0 || System.nanoTime() - captureReadNanos > 2_000_000_000L) {
            captureReports = CaptureStatus.read(options.kafka(), topics, Duration.ofSeconds(10));
            captureReadNanos = System.nanoTime();
        }
        return captureReports;
    }

    /** How {@code state}'s rows are spread over its shards, counted on them; see {@link ShardRows}. */
    public ShardRows.Report rows(TopologyState state, double maxShare) {
        return ShardRows.count(state, connections, maxShare);
    }

    /** How this service's workflow steps behave. */
    public dev.shardflow.topology.workflow.WorkflowSettings workflowSettings() {
        return options.workflow();
    }

    /** The recovery of cross-shard transactions whose coordinator crashed, and its last sweep. */
    public TransactionRecovery transactions() {
        return transactions;
    }

    public String keyspace() {
        return keyspace;
    }

    /** Writes to moving keys held by cutover fences: count, p50/p99/max. */
    public Timer pauses() {
        return pauses;
    }

    @Override
    public void close() {
        jobs.close();
        metrics.close();
        adminMetrics.close();
        if (leadership != null) {
            leadership.close();
        }
        workflow.close();
        transactions.close();
        connections.close();
        admin.close();
    }
}
