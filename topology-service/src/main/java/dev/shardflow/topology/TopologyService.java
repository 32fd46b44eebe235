package dev.shardflow.topology;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.topology.fence.FenceCoordinator;
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.fence.RouterRoster;
import dev.shardflow.topology.registry.Leadership;
import dev.shardflow.topology.registry.NotLeaderException;
import dev.shardflow.topology.registry.RegistryLog;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.topology.verify.ChunkedVerifier;
import dev.shardflow.topology.verify.VerifyException;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.verify.VerifyRuns;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Cleaner;
import dev.shardflow.topology.workflow.MoveWatch;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceDriver;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
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
    private final ShardConnections connections = new ShardConnections();
    private final Timer pauses;
    private final VerifyRuns verifyRuns;
    private final ScheduledExecutorService workflow;
    private Leadership leadership;
    private volatile RegistryLog registry;
    private volatile RebalanceDriver driver;
    private RouterRoster roster; // the workflow thread's
    private volatile Future<?> ticking;
    private final java.util.concurrent.atomic.AtomicLong sampledLag = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sampledCopy = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sampledCopied = new java.util.concurrent.atomic.AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "topology-metrics");
        thread.setDaemon(true);
        return thread;
    });

    public TopologyService(TopologyServiceOptions options, MeterRegistry meters) {
        this.options = options;
        this.topics = TopicNames.of(options.topology());
        this.keyspace = options.topology().keyspace();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers()));
        this.pauses = Timer.builder("shardflow.topology.cutover.pause").description("how long a fence held writes to "
                + "moving keys").publishPercentiles(0.5, 0.99).register(meters);
        this.workflow = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "topology-workflow-" + keyspace);
            thread.setDaemon(true);
            return thread;
        });
        this.verifyRuns = new VerifyRuns(new ChunkedVerifier(connections, new MarkerPaths(admin),
                options.workflow().verify()), meters);
        meters.gauge("shardflow.topology.leader", this, s -> s.leading() ? 1 : 0);
        for (dev.shardflow.topology.workflow.RebalanceState each : dev.shardflow.topology.workflow.RebalanceState.values()) {
            io.micrometer.core.instrument.Gauge.builder("shardflow.topology.rebalance.state", this,
                    s -> s.activeState() == each ? 1 : 0).tag("state", each.name())
                    .description("1 for the state the active rebalance is in").register(meters);
        }
        meters.gauge("shardflow.topology.move.lag", sampledLag);
        meters.gauge("shardflow.topology.copy.fraction", sampledCopy, a -> a.get() / 1e6);
        meters.gauge("shardflow.topology.copy.records", sampledCopied);
        meters.gauge("shardflow.topology.epoch", this, s -> s.state().map(t -> (double) t.currentTopology().epoch())
                .orElse(Double.NaN));
    }

    public TopologyService start() {
        ensureTopics();
        sampler.scheduleWithFixedDelay(this::sample, 2, 2, TimeUnit.SECONDS);
        leadership = new Leadership(options.bootstrapServers(), keyspace, topics, options.instanceId(),
                options.leaderSessionTimeout(), new Leadership.Listener() {
                    @Override
                    public void elected() {
                        workflow.execute(TopologyService.this::lead);
                    }

                    @Override
                    public void deposed() {
                        workflow.execute(TopologyService.this::standDown);
                    }
                }).start();
        log.info("topology service {} of {} started; waiting for the election", options.instanceId(), keyspace);
        return this;
    }

    public boolean leading() {
        return driver != null;
    }

    /** The topology state in force as this instance last saw it. */
    public Optional<TopologyState> state() {
        RebalanceDriver current = driver;
        if (current != null) {
            return Optional.of(current.state());
        }
        return RegistryLog.read(options.bootstrapServers(), keyspace, topics).state();
    }

    public Optional<Rebalance> rebalance(String id) {
        return Optional.ofNullable(rebalances().get(id));
    }

    public Map<String, Rebalance> rebalances() {
        RebalanceDriver current = driver;
        return current != null ? current.rebalances()
                : RegistryLog.read(options.bootstrapServers(), keyspace, topics).rebalances();
    }

    /** The rebalance that is not over, or else the latest one. */
    public Optional<Rebalance> latest() {
        return onWorkflow(d -> d.latest());
    }

    public Rebalance plan(Planner.Request request) {
        return onWorkflow(d -> d.plan(request));
    }

    /** Holds the writes of a shard while it is rebuilt, or releases them; see {@link RebalanceDriver#hold}. */
    public TopologyState hold(String shard, boolean held) {
        return onWorkflow(d -> d.hold(shard, held));
    }

    public Rebalance perform(String id, Action action) {
        return perform(id, action, false);
    }

    /** An operator's action; {@code force} lets a cutover go without a clean verify ({@link RebalanceDriver}). */
    public Rebalance perform(String id, Action action, boolean force) {
        if (action == Action.VERIFY && !force) {
            return verify(id);
        }
        return onWorkflow(d -> d.perform(id, action, force));
    }

    /**
     * Compares the moving rows on both sides, chunk by chunk under writes, and records the result; a clean one
     * before cutover is VERIFIED. A verify cut short (a crash, a lost lead) resumes where its last checkpoint was.
     */
    public Rebalance verify(String id) {
        Rebalance rebalance = onWorkflow(d -> {
            Rebalance r = d.rebalances().get(id);
            if (r == null) {
                throw new WorkflowException(Kind.NOT_FOUND, "no rebalance " + id);
            }
            if (!Action.VERIFY.allowedIn(r.state())) {
                throw new WorkflowException(Kind.CONFLICT, "cannot verify rebalance " + id + ": it is " + r.state()
                        + "; verify is possible when " + Action.VERIFY.allowedStates());
            }
            return r;
        });
        TopologyState state = state().orElseThrow(() -> new WorkflowException(Kind.CONFLICT, "no topology published"));
        VerifyReport result = runVerify(new ChunkedVerifier.Scope(state.currentTopology(), state.otherTopology(),
                false), rebalance.verification(), partial -> onWorkflow(d -> d.verified(id, partial)));
        return onWorkflow(d -> d.verified(id, result));
    }

    /**
     * Verifies the keyspace outside the workflow: with {@code all}, every row of every shard against its owner and
     * every reference table, and during a rebalance the moving rows as well. Refused while cleanup deletes rows.
     */
    public VerifyReport verifyKeyspace(boolean all) {
        dev.shardflow.topology.workflow.RebalanceState active = activeState();
        if (active != null && !Action.VERIFY.allowedIn(active)) {
            throw new WorkflowException(Kind.CONFLICT, "cannot verify while the active rebalance is " + active
                    + "; verify is possible when no rebalance runs or when it is " + Action.VERIFY.allowedStates());
        }
        TopologyState state = state().orElseThrow(() -> new WorkflowException(Kind.CONFLICT, "no topology published"));
        return runVerify(new ChunkedVerifier.Scope(state.currentTopology(), active == null ? null
                : state.otherTopology(), all), null, partial -> { });
    }

    private VerifyReport runVerify(ChunkedVerifier.Scope scope, VerifyReport resume,
            java.util.function.Consumer<VerifyReport> checkpoint) {
        try {
            return verifyRuns.run(scope, resume, checkpoint); // reads only, off the workflow thread
        } catch (VerifyException e) {
            throw new WorkflowException(Kind.CONFLICT, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkflowException(Kind.CONFLICT, "verify interrupted", e);
        }
    }

    public VerifyRuns verifyRuns() {
        return verifyRuns;
    }

    private dev.shardflow.topology.workflow.RebalanceState activeState() {
        RebalanceDriver current = driver;
        return current == null ? null : current.active().map(Rebalance::state).orElse(null);
    }

    /** Refreshes the sampled figures of the active rebalance: copy progress and lag. */
    private void sample() {
        RebalanceDriver current = driver;
        if (current == null) {
            return;
        }
        try {
            Optional<Rebalance> active = current.active();
            if (active.isEmpty()) {
                sampledLag.set(0);
                return;
            }
            Map<String, Object> status = new TopologyApi(this).status(active.get().id());
            if (status.get("lag") instanceof Long lag) {
                sampledLag.set(lag);
            }
            if (status.get("copy") instanceof Map<?, ?> copy) {
                sampledCopy.set(Math.round(((Number) copy.get("fraction")).doubleValue() * 1e6));
                sampledCopied.set(((Number) copy.get("done")).longValue());
            }
        } catch (RuntimeException e) {
            log.debug("metrics sample failed: {}", e.getMessage());
        }
    }

    /** How far the active rebalance's move is, read from Kafka. */
    public MoveWatch moves() {
        return new MoveWatch(options.bootstrapServers(), admin, topics, keyspace,
                options.workflow().rebalancerApplicationId());
    }

    public String keyspace() {
        return keyspace;
    }

    /** Writes to moving keys held by cutover fences: count, p50/p99/max. */
    public Timer pauses() {
        return pauses;
    }

    private interface Step<T> {
        T run(RebalanceDriver driver);
    }

    private <T> T onWorkflow(Step<T> step) {
        Callable<T> call = () -> {
            RebalanceDriver current = driver;
            if (current == null) {
                throw new WorkflowException(Kind.NOT_LEADER, "topology service " + options.instanceId()
                        + " is a standby; send this to the leading instance");
            }
            return step.run(current);
        };
        try {
            return workflow.submit(call).get(options.workflow().fenceTimeout().toMillis() + 120_000,
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WorkflowException refused) {
                throw refused;
            }
            if (e.getCause() instanceof NotLeaderException lost) {
                throw new WorkflowException(Kind.NOT_LEADER, lost.getMessage(), lost);
            }
            throw new IllegalStateException("the workflow step failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the workflow did not answer in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** On the workflow thread: becomes the registry's one writer and resumes the workflow. */
    private void lead() {
        try {
            registry = RegistryLog.openForWriting(options.bootstrapServers(), keyspace, topics);
            RegistryLog.Contents contents = registry.read();
            if (contents.state().isEmpty()) {
                String document = TopologyLoader.resolve(options.topologyDocument(), "topology", System.getenv());
                TopologyState published = TopologyState.steady(keyspace, document);
                registry.commit(published, null);
                contents = new RegistryLog.Contents(Optional.of(published), contents.rebalances());
                log.info("topology service {}: published epoch {} of {} from its topology file", options.instanceId(),
                        options.topology().epoch(), keyspace);
            }
            roster = new RouterRoster(options.bootstrapServers(), topics);
            FenceCoordinator fences = new FenceCoordinator(roster, connections, admin,
                    options.workflow().routerTimeout());
            Cleaner cleaner = new Cleaner(connections, options.workflow().cleanupBatchRows(),
                    options.workflow().cleanupRowsPerSecond());
            driver = new RebalanceDriver(registry, contents, moves(), fences, cleaner, options.workflow(),
                    attempt -> {
                        if ("committed".equals(attempt.outcome())) {
                            pauses.record(attempt.pauseMs(), TimeUnit.MILLISECONDS);
                        }
                    });
            driver.active().ifPresent(r -> log.info("topology service {}: resuming rebalance {} in state {}",
                    options.instanceId(), r.id(), r.state()));
            ticking = workflow.scheduleWithFixedDelay(this::tick, 0, 500, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.error("topology service {}: cannot take the lead: {}", options.instanceId(), e.getMessage(), e);
            standDown();
        }
    }

    private void tick() {
        RebalanceDriver current = driver;
        if (current == null) {
            return;
        }
        try {
            current.tick();
        } catch (NotLeaderException e) {
            log.warn("topology service {}: {}", options.instanceId(), e.getMessage());
            standDown();
        } catch (RuntimeException e) {
            log.warn("topology service {}: workflow step failed ({}); it is tried again", options.instanceId(),
                    e.getMessage());
        }
    }

    private void standDown() {
        if (ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
        driver = null;
        if (roster != null) {
            roster.close();
            roster = null;
        }
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    private void ensureTopics() {
        Map<String, String> compact = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        short replicas = options.replicationFactor();
        List<NewTopic> wanted = List.of(new NewTopic(topics.topology(), 1, replicas).configs(compact),
                new NewTopic(topics.rebalances(), 1, replicas).configs(compact),
                new NewTopic(topics.topologyLeader(), 1, replicas),
                new NewTopic(topics.routers(), 1, replicas).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(TimeUnit.DAYS.toMillis(1)))));
        try {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare the topology service's topics on "
                    + options.bootstrapServers() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        if (leadership != null) {
            leadership.close();
        }
        workflow.execute(this::standDown);
        workflow.shutdown();
        try {
            workflow.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.close();
        admin.close();
    }
}
