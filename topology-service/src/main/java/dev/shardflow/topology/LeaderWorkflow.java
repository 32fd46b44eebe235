package dev.shardflow.topology;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.retry.Backoff;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.process.Health;
import dev.shardflow.topology.fence.FenceCoordinator;
import dev.shardflow.topology.fence.RouterRoster;
import dev.shardflow.topology.registry.LogBrokenException;
import dev.shardflow.topology.registry.NotLeaderException;
import dev.shardflow.topology.registry.RegistryLog;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.topology.tx.TransactionRecovery;
import dev.shardflow.topology.workflow.Cleaner;
import dev.shardflow.topology.workflow.MoveWatch;
import dev.shardflow.topology.workflow.RebalanceDriver;
import dev.shardflow.topology.workflow.SchemaHolds;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import dev.shardflow.topology.workflow.WorkflowException;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflow of the leading instance, on one thread: elected, it becomes the registry's one writer, publishes the
 * topology in force if none is, and drives the rebalance workflow every half second, resuming whatever a crash
 * interrupted, and sweeps the prepared branches of crashed cross-shard coordinators every
 * {@link dev.shardflow.topology.workflow.WorkflowSettings#transactionSweepInterval}; deposed (or fenced by a newer leader), it stands down. Every operator action runs on the same thread
 * through {@link #call}, so the workflow never sees two steps at once.
 */
final class LeaderWorkflow implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderWorkflow.class);

    /** One step on the workflow thread, given the driver of the lead. */
    interface Step<T> {
        T run(RebalanceDriver driver);
    }

    /** How long an elected instance waits before it tries again to take the lead: 0.5 s doubling up to 10 s. */
    private static final Backoff LEAD_RETRY = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(10));

    private final TopologyServiceOptions options;
    private final TopicNames topics;
    private final String keyspace;
    private final Admin admin;
    private final ShardConnections connections;
    private final Timer pauses;
    private final TransactionRecovery transactions;
    private final ScheduledExecutorService thread;
    private volatile RebalanceDriver driver;
    private RegistryLog registry; // the workflow thread's
    private RouterRoster roster; // the workflow thread's
    private Future<?> ticking; // the workflow thread's
    private volatile boolean elected;
    private int failedAttempts; // the workflow thread's: attempts to take the lead that failed since elected
    private Future<?> retry; // the workflow thread's: the next attempt to take the lead, if one failed
    private volatile String leadFailure; // why the last attempt to take the lead failed, while it has not succeeded

    LeaderWorkflow(TopologyServiceOptions options, Admin admin, ShardConnections connections, Timer pauses,
            TransactionRecovery transactions) {
        this.transactions = transactions;
        this.options = options;
        this.topics = TopicNames.of(options.topology());
        this.keyspace = options.topology().keyspace();
        this.admin = admin;
        this.connections = connections;
        this.pauses = pauses;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topology-workflow-" + keyspace);
            t.setDaemon(true);
            return t;
        });
    }

    /** The driver while this instance leads, else empty. */
    Optional<RebalanceDriver> driver() {
        return Optional.ofNullable(driver);
    }

    /**
     * The lead as a loop of the service's health: a standby or a leader runs; an instance elected that cannot take
     * the lead (the registry's writer does not open, say) is retrying, with the reason.
     */
    Health.Loop loop() {
        String failure = leadFailure;
        if (!elected) {
            return new Health.Loop("leadership", true, "STANDBY", "");
        }
        if (driver == null && failure != null) {
            return new Health.Loop("leadership", false, "RETRYING",
                    "elected, but cannot take the lead: " + failure);
        }
        return new Health.Loop("leadership", true, driver == null ? "STARTING" : "LEADING", "");
    }

    void elected() {
        elected = true;
        thread.execute(() -> {
            failedAttempts = 0;
            leadFailure = null;
            lead();
        });
    }

    void deposed() {
        elected = false;
        thread.execute(this::standDown);
    }

    /** How far the active rebalance's move is, read from Kafka. */
    MoveWatch moves() {
        return new MoveWatch(options.kafka(), admin, topics, keyspace,
                options.workflow().rebalancerApplicationId());
    }

    /**
     * Runs a step on the workflow thread and returns its answer.
     *
     * @throws WorkflowException {@link Kind#NOT_LEADER} on a standby, or the step's own refusal
     */
    <T> T call(Step<T> step) {
        Callable<T> call = () -> {
            RebalanceDriver current = driver;
            if (current == null) {
                throw new WorkflowException(Kind.NOT_LEADER, "topology service " + options.instanceId()
                        + " is a standby; send this to the leading instance");
            }
            try {
                return step.run(current);
            } catch (LogBrokenException e) {
                relead(e);
                throw new WorkflowException(Kind.NOT_LEADER, e.getMessage() + "; the leader reads the registry again "
                        + "and takes the lead anew: look at the rebalance before trying again", e);
            }
        };
        try {
            return thread.submit(call).get(options.workflow().fenceTimeout().toMillis() + 120_000,
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

    private void lead() {
        if (!elected || driver != null) {
            return; // deposed before this attempt ran, or already leading
        }
        try {
            registry = RegistryLog.openForWriting(options.kafka(), keyspace, topics);
            RegistryLog.Contents contents = registry.read();
            if (contents.state().isEmpty()) {
                String document = TopologyLoader.resolve(options.topologyDocument(), "topology", System.getenv());
                TopologyState published = TopologyState.steady(keyspace, document);
                registry.commit(published, null);
                contents = new RegistryLog.Contents(Optional.of(published), contents.rebalances());
                log.info("topology service {}: published epoch {} of {} from its topology file", options.instanceId(),
                        options.topology().epoch(), keyspace);
            }
            roster = new RouterRoster(options.kafka(), topics);
            FenceCoordinator fences = new FenceCoordinator(roster, connections, admin,
                    options.workflow().routerTimeout(), transactions);
            Cleaner cleaner = new Cleaner(connections, options.workflow().cleanupBatchRows(),
                    options.workflow().cleanupRowsPerSecond());
            driver = new RebalanceDriver(registry, contents, moves(), fences, cleaner, new SchemaHolds(connections),
                    options.workflow(),
                    attempt -> {
                        if ("committed".equals(attempt.outcome())) {
                            pauses.record(attempt.pauseMs(), TimeUnit.MILLISECONDS);
                        }
                    });
            driver.active().ifPresent(r -> log.info("topology service {}: resuming rebalance {} in state {}",
                    options.instanceId(), r.id(), r.state()));
            ticking = thread.scheduleWithFixedDelay(this::tick, 0, 500, TimeUnit.MILLISECONDS);
            transactions.start(options.workflow().transactionSweepInterval());
            if (failedAttempts > 0) {
                log.info("topology service {}: took the lead after {} failed attempt(s)", options.instanceId(),
                        failedAttempts);
            }
            leadFailure = null;
        } catch (RuntimeException e) {
            standDown();
            failedAttempts++;
            leadFailure = e.getMessage();
            long retryMs = LEAD_RETRY.delay(failedAttempts).toMillis();
            log.error("topology service {}: cannot take the lead (attempt {}): {}; trying again in {} ms",
                    options.instanceId(), failedAttempts, e.getMessage(), retryMs, e);
            if (!thread.isShutdown()) {
                retry = thread.schedule(this::lead, retryMs, TimeUnit.MILLISECONDS);
            }
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
        } catch (LogBrokenException e) {
            relead(e);
        } catch (RuntimeException e) {
            log.warn("topology service {}: workflow step failed ({}); it is tried again", options.instanceId(),
                    e.getMessage());
        }
    }

    /**
     * On the workflow thread: the registry's writer broke, so what this leader holds in memory may differ from the
     * log. It stands down and, still elected, takes the lead again — a new writer, the log read afresh.
     */
    private void relead(LogBrokenException e) {
        log.error("topology service {}: {}; standing down and taking the lead again from the log",
                options.instanceId(), e.getMessage(), e);
        standDown();
        if (elected && !thread.isShutdown()) {
            failedAttempts = 0;
            retry = thread.schedule(this::lead, LEAD_RETRY.delay(1).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void standDown() {
        if (ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
        transactions.stop();
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

    @Override
    public void close() {
        elected = false;
        thread.execute(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
            standDown();
        });
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
