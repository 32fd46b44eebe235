package dev.shardflow.topology.tx;

import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.jdbc.tx.TxRecovery;
import dev.shardflow.process.Health;
import dev.shardflow.topology.registry.ShardConnections;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes the prepared branches of cross-shard transactions whose coordinator is gone, by the decision log
 * ({@link TxRecovery}), on every shard of both sides of the topology in force: periodically, on the leading
 * instance, deciding abort for branches without a decision older than the recovery age; and in a cutover's fence, on its sources, for branches older
 * than the router lease — so that no branch prepared on a source commits after the fence's markers and reaches its
 * target behind the cutover. Each sweep is logged when it finished a branch or failed, counted, and kept as the
 * last sweep for the API and the health answer.
 */
public final class TransactionRecovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionRecovery.class);

    /** How long decisions are kept: twice the longest a coordinator may run, and some. */
    static final Duration KEEP = Duration.ofMinutes(30);

    /**
     * One sweep: when, why ({@code periodic}, {@code fence <id>}), what it did, and its failure when a shard could
     * not be read (then the sweep is tried again next time).
     */
    public record Sweep(Instant at, String trigger, int committed, int rolledBack, int waiting,
            List<String> problems, String failure) {
        public Sweep {
            problems = List.copyOf(problems);
        }

        /** Whether every branch it found was finished or is too young to decide, and every shard answered. */
        public boolean clean() {
            return failure == null && problems.isEmpty();
        }
    }

    private final ShardConnections connections;
    private final Supplier<Optional<TopologyState>> state;
    private final Duration minAge;
    private final Counter committed;
    private final Counter rolledBack;
    private final Counter failed;
    private final AtomicLong waiting = new AtomicLong();
    private volatile Sweep last;
    private long lastPruneMs; // the sweeping thread's
    // its own thread: a shard that does not answer must hold up neither the workflow nor a fence
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "transaction-recovery");
        t.setDaemon(true);
        return t;
    });
    private Future<?> sweeping;

    /** @param minAge how old a branch without a decision is before the periodic sweep decides abort */
    public TransactionRecovery(ShardConnections connections, Supplier<Optional<TopologyState>> state, Duration minAge,
            MeterRegistry meters) {
        this.connections = connections;
        this.minAge = minAge;
        this.state = state;
        this.committed = Counter.builder("shardflow.topology.transactions.recovered").tag("outcome", "commit")
                .description("prepared branches of crashed coordinators finished by the decision log")
                .register(meters);
        this.rolledBack = Counter.builder("shardflow.topology.transactions.recovered").tag("outcome", "abort")
                .description("prepared branches of crashed coordinators finished by the decision log")
                .register(meters);
        this.failed = Counter.builder("shardflow.topology.transactions.recovery.failures")
                .description("sweeps that could not read a shard or finish a branch").register(meters);
        meters.gauge("shardflow.topology.transactions.in.doubt", waiting);
    }

    /** Starts sweeping every {@code interval}, the first a second from now (the service was elected). */
    public synchronized void start(Duration interval) {
        stop();
        sweeping = thread.scheduleWithFixedDelay(this::sweep, 1_000, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sweeping (the service stood down); a sweep under way finishes. */
    public synchronized void stop() {
        if (sweeping != null) {
            sweeping.cancel(false);
            sweeping = null;
        }
    }

    @Override
    public void close() {
        stop();
        thread.shutdownNow();
    }

    /** The periodic sweep: every shard, every branch by its decision; decisions no branch needs are pruned. */
    public Sweep sweep() {
        Sweep done = sweep("periodic", minAge, null);
        if (done.failure() == null && System.currentTimeMillis() - lastPruneMs > KEEP.toMillis()) {
            try {
                int pruned = recovery().prune(KEEP);
                lastPruneMs = System.currentTimeMillis();
                if (pruned > 0) {
                    log.info("transaction recovery: pruned {} decision(s) older than {}", pruned, KEEP);
                }
            } catch (SQLException | RuntimeException e) {
                log.warn("transaction recovery: cannot prune old decisions ({}); tried again next sweep",
                        e.getMessage());
            }
        }
        return done;
    }

    /**
     * The fence's sweep, after every live router acknowledged and before the markers: the branches on
     * {@code sources} older than {@code lease} belong to coordinators whose router is gone (a live one holds its
     * transactions' moving keys out of the fence), and are finished now.
     *
     * @return why a branch on a source is still prepared (its decision could not be read or applied), or empty
     */
    public Optional<String> beforeMarkers(String fenceId, Collection<String> sources, Duration lease) {
        Sweep done = sweep("fence " + fenceId, lease, Set.copyOf(sources));
        if (done.failure() != null) {
            return Optional.of("cannot finish the prepared transactions on the sources: " + done.failure());
        }
        if (!done.problems().isEmpty()) {
            return Optional.of("a prepared transaction on a source cannot be finished: " + done.problems().get(0));
        }
        return Optional.empty();
    }

    /** The last sweep, or empty before the first. */
    public Optional<Sweep> last() {
        return Optional.ofNullable(last);
    }

    /** The sweep as a loop of the service's health: retrying, with its reason, while it fails. */
    public Health.Loop loop() {
        Sweep sweep = last;
        if (sweep == null || sweep.clean()) {
            return new Health.Loop("transaction recovery", true, "RUNNING", "");
        }
        return new Health.Loop("transaction recovery", true, "RETRYING", sweep.failure() != null ? sweep.failure()
                : sweep.problems().get(0));
    }

    private Sweep sweep(String trigger, Duration minAge, Set<String> on) {
        long started = System.nanoTime();
        Sweep done;
        try {
            TxRecovery.Report report = recovery().recover(minAge, on);
            done = new Sweep(Instant.now(), trigger, report.committed(), report.rolledBack(), report.waiting(),
                    report.problems(), null);
        } catch (SQLException | RuntimeException e) {
            done = new Sweep(Instant.now(), trigger, 0, 0, 0, List.of(), e.getMessage());
        }
        committed.increment(done.committed());
        rolledBack.increment(done.rolledBack());
        if (on == null) {
            waiting.set(done.waiting());
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        if (!done.clean()) {
            failed.increment();
            log.warn("transaction recovery ({}): {} in {} ms; tried again next sweep", trigger,
                    done.failure() != null ? done.failure() : String.join("; ", done.problems()), ms);
        } else if (done.committed() + done.rolledBack() > 0) {
            log.info("transaction recovery ({}): committed {} and rolled back {} prepared branch(es) of crashed "
                    + "coordinators in {} ms; {} too young to decide", trigger, done.committed(), done.rolledBack(), ms,
                    done.waiting());
        } else {
            log.debug("transaction recovery ({}): nothing to finish ({} ms)", trigger, ms);
        }
        last = done;
        return done;
    }

    private TxRecovery recovery() {
        Map<String, ShardSpec> shards = new LinkedHashMap<>();
        state.get().ifPresent(s -> {
            add(shards, s.currentTopology());
            add(shards, s.otherTopology());
        });
        List<ShardSpec> all = new ArrayList<>(shards.values());
        return new TxRecovery(() -> all, id -> connections.pool(shards.get(id)));
    }

    private static void add(Map<String, ShardSpec> shards, Topology topology) {
        if (topology != null) {
            topology.shards().forEach(shard -> shards.putIfAbsent(shard.id(), shard));
        }
    }
}
