package dev.shardflow.router;

import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.ShardPools;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.router.query.QueryRefusedException;
import dev.shardflow.router.query.QueryResult;
import dev.shardflow.router.query.ScatterGather;
import dev.shardflow.router.query.ScatterQuery;
import dev.shardflow.router.query.ShardQueryException;
import dev.shardflow.router.tx.CrossShard;
import dev.shardflow.router.tx.TwoPhaseCommit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client library applications write through: it routes a shard key to its owner at the epoch in force, follows
 * epoch changes live from the topology topic, and hands out pooled connections per shard. Start one with
 * {@link #builder}; close it when the application stops.
 *
 * <p>What a caller may rely on:
 * <ul>
 *   <li>{@link #write} runs the work in a transaction on the key's owner and commits it before returning.</li>
 *   <li>During a cutover fence, writes to moving keys wait (up to the fence wait, then
 *       {@link RetryableRouteException.FenceTimeout}) and then run on the owner of the epoch the fence ends in;
 *       writes to keys that stay never wait. The router acknowledges a fence only when none of its writes to moving
 *       keys is in flight, so the fence marker that follows is after every one of them.</li>
 *   <li>A {@link Route} taken earlier whose shard no longer owns the key is refused
 *       ({@link RetryableRouteException.StaleRoute}), never applied to the wrong shard.</li>
 *   <li>A router that cannot reach Kafka for longer than its lease refuses every write
 *       ({@link RetryableRouteException.Unavailable}): the service stops waiting for routers it has not heard from,
 *       so one that is cut off must not keep writing to an owner that may have changed.</li>
 *   <li>A router whose background thread stopped refuses every write and tells its {@link RouterListener}.</li>
 * </ul>
 */
public final class ShardRouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardRouter.class);
    /** How long a statement of a cross-shard transaction waits for a row lock: no database sees a deadlock across two. */
    public static final Duration TRANSACTION_LOCK_WAIT = Duration.ofSeconds(10);

    private final RouterOptions options;
    private final Admission admission;
    private final TopologyFollower follower;
    private final Heartbeat heartbeat;
    private final Timer pauses;
    private final Timer queryTimes;
    private final ScatterGather queries;
    private final TwoPhaseCommit transactions;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private Thread following;
    private Thread beating;

    private ShardRouter(RouterOptions options, MeterRegistry registry, RouterListener listener) {
        this.options = options;
        this.pauses = Timer.builder("shardflow.router.pause").description("how long writes to moving keys waited "
                + "for a cutover fence").publishPercentiles(0.5, 0.99).register(registry);
        this.admission = new Admission(options.routerId(), Ownership.steady(options.fallback()), options.fenceWait(),
                options.lease(), pauses, System::nanoTime);
        this.follower = new TopologyFollower(options, admission, listener);
        this.heartbeat = new Heartbeat(options, admission, System::nanoTime);
        this.queryTimes = Timer.builder("shardflow.router.query").description("scatter-gather queries, from the "
                + "first shard asked to the merged answer").publishPercentiles(0.5, 0.99).register(registry);
        this.queries = new ScatterGather(options.routerId(), () -> admission.ownership().placement(), this::pool);
        this.transactions = new TwoPhaseCommit(this::shard, this::pool, TRANSACTION_LOCK_WAIT, registry);
    }

    /** A router of {@code fallback}'s keyspace, which it routes by until the topology topic holds a state. */
    public static Builder builder(Topology fallback, String bootstrapServers) {
        return builder(fallback, KafkaConnection.plain(bootstrapServers));
    }

    /**
     * A router of {@code fallback}'s keyspace on a cluster reached with client properties (a secured cluster:
     * {@code security.protocol}, {@code sasl.*}, {@code ssl.*}).
     */
    public static Builder builder(Topology fallback, KafkaConnection kafka) {
        return new Builder(RouterOptions.defaults(fallback, kafka));
    }

    /** The epoch routed by now. */
    public long epoch() {
        return admission.ownership().epoch();
    }

    /** The key's owner now; a write with it is refused if the owner changes before it runs. */
    public Route route(Object shardKey) {
        Ownership now = admission.ownership();
        return new Route(now.placement().ownerOf(shardKey), now.epoch());
    }

    /** True while a rebalance runs in which the key's owner changes: its writes pause during the cutover fence. */
    public boolean moving(Object shardKey) {
        return admission.ownership().placement().moving(shardKey);
    }

    /** Runs {@code work} in a transaction on the owner of {@code shardKey} and commits it. */
    public <T> T write(Object shardKey, SqlWork<T> work) throws SQLException {
        return write(shardKey, null, work);
    }

    /** Runs {@code work} on the route's shard, refusing it if that shard no longer owns the key. */
    public <T> T write(Object shardKey, Route route, SqlWork<T> work) throws SQLException {
        Admission.Ticket ticket = admission.admit(shardKey, route);
        try (Connection connection = pool(ticket.shard()).getConnection()) {
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        } finally {
            admission.release(ticket);
        }
    }

    /**
     * Runs {@code work} atomically across the owners of {@code shardKeys}, which must name every key it touches: with
     * two-phase commit when they live on more than one shard, as one local transaction when on one. The keys are
     * admitted together: while a cutover fence holds any of them, the transaction waits (up to the fence wait)
     * before it starts, and a fence is acknowledged only once no admitted transaction touching a moving key runs.
     *
     * Throws {@code TransactionAbortedException} (rolled back everywhere) or {@code TransactionInDoubtException}.
     */
    public <T> T transaction(List<?> shardKeys, CrossShard.Work<T> work) throws SQLException {
        if (shardKeys.isEmpty()) {
            throw new IllegalArgumentException("a transaction names the shard keys it touches; none was given");
        }
        List<Admission.Ticket> tickets = admission.admitAll(shardKeys, null);
        try {
            Map<Object, String> owners = new LinkedHashMap<>();
            for (int i = 0; i < shardKeys.size(); i++) {
                owners.put(shardKeys.get(i), tickets.get(i).shard());
            }
            return transactions.run(owners, work);
        } finally {
            tickets.forEach(admission::release);
        }
    }

    /**
     * Runs a SELECT on every shard in parallel and merges the answers exactly: counts and sums added, AVG as sum
     * over count, groups that span shards merged before ORDER BY and LIMIT. While a rebalance runs, each shard counts
     * only the keys it owns at the epoch in force. Each shard has {@link ScatterQuery#DEFAULT_TIMEOUT}.
     *
     * @throws QueryRefusedException the statement cannot be answered exactly across shards (the message says why)
     * @throws ShardQueryException a shard failed or timed out (named in the message)
     */
    public QueryResult query(String sql, Object... params) throws SQLException {
        return query(ScatterQuery.of(sql, params));
    }

    /** {@link #query(String, Object...)} with a timeout per shard, and a partial answer if the query allows it. */
    public QueryResult query(ScatterQuery query) throws SQLException {
        long started = System.nanoTime();
        try {
            return queries.run(query);
        } finally {
            queryTimes.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** A pooled data source of one shard, for reads (its connections do not auto-commit). */
    public DataSource dataSource(String shardId) {
        return pool(shardId);
    }

    /** Writes to moving keys held by fences: count, and p50/p99/max in the meter {@code shardflow.router.pause}. */
    public Timer pauses() {
        return pauses;
    }

    /** Stops routing: the service is told this router left, so no fence waits for it. */
    @Override
    public void close() {
        follower.close(following != null);
        try {
            if (following != null) {
                following.join(5_000);
            }
            heartbeat.close(beating);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queries.close();
        pools.values().forEach(HikariDataSource::close);
    }

    /** Runs a listener call, so that a listener that throws cannot stop the router's own threads. */
    static void tell(String routerId, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("router {}: its listener failed: {}", routerId, e.toString());
        }
    }

    private void start() {
        try {
            heartbeat.beat(admission.beat()); // announced first, so a fence published later waits for this router
            follower.catchUp();
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("router " + options.routerId() + " cannot start: " + e.getMessage(), e);
        }
        following = new Thread(follower, "shardflow-router-follow-" + options.routerId());
        beating = new Thread(heartbeat, "shardflow-router-beat-" + options.routerId());
        following.setDaemon(true);
        beating.setDaemon(true);
        following.start();
        beating.start();
        log.info("router {} of {}: routing by epoch {}", options.routerId(), options.fallback().keyspace(), epoch());
    }

    private ShardSpec shard(String shardId) {
        return admission.ownership().placement().shard(shardId).orElseThrow(() -> new IllegalArgumentException(
                "shard " + shardId + " is not in the topology of keyspace " + options.fallback().keyspace()));
    }

    private HikariDataSource pool(String shardId) {
        return pools.computeIfAbsent(shardId, id -> {
            ShardSpec shard = shard(id);
            return ShardPools.open(shard, shard.password().resolve(), new ShardPools.Use("router", options.poolSize(),
                    1, false, options.connectionTimeout()));
        });
    }

    /** How a router is made; every setting has a default. */
    public static final class Builder {
        private RouterOptions options;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private RouterListener listener = RouterListener.NONE;

        private Builder(RouterOptions options) {
            this.options = options;
        }

        /** How the router names itself to the topology service; default {@code router-<random>}. */
        public Builder routerId(String id) {
            options = options.withRouterId(id);
            return this;
        }

        /** How long a write to a moving key waits for a cutover fence before it fails, retryable; default 5 s. */
        public Builder fenceWait(Duration wait) {
            options = options.withFenceWait(wait);
            return this;
        }

        /** Connections per shard; default 8. */
        public Builder poolSize(int size) {
            options = options.withPoolSize(size);
            return this;
        }

        /** Where the pause timer is registered; default a registry of its own. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            registry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /** Who hears of epoch changes and of a router that stopped; default nobody. */
        public Builder listener(RouterListener routerListener) {
            listener = Objects.requireNonNull(routerListener, "listener");
            return this;
        }

        /**
         * Starts the router: it announces itself to the topology service, then reads the topology topic to its end,
         * and only then routes — so a fence published before it announced itself is one it has already seen.
         *
         * @throws IllegalStateException when Kafka cannot be reached or the topic read
         */
        public ShardRouter start() {
            ShardRouter router = new ShardRouter(options, registry, listener);
            router.start();
            return router;
        }
    }
}
