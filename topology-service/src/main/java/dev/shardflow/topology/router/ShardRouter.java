package dev.shardflow.topology.router;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client library applications write through: it routes a shard key to its owner at the epoch in force, follows
 * epoch changes live from the topology topic, and hands out pooled connections per shard.
 *
 * <p>What a caller may rely on:
 * <ul>
 *   <li>{@link #write} runs the work in a transaction on the key's owner and commits it before returning.</li>
 *   <li>During a cutover fence, writes to moving keys wait (up to {@code fenceWait}, then
 *       {@link RetryableRouteException.FenceTimeout}) and then run on the owner of the epoch the fence ends in;
 *       writes to keys that stay never wait. The router acknowledges a fence only when none of its writes to moving
 *       keys is in flight, so the fence marker that follows is after every one of them.</li>
 *   <li>A {@link Route} taken earlier whose shard no longer owns the key is refused
 *       ({@link RetryableRouteException.StaleRoute}), never applied to the wrong shard.</li>
 *   <li>A router that cannot reach Kafka for longer than its lease refuses every write
 *       ({@link RetryableRouteException.Unavailable}): the service stops waiting for routers it has not heard from,
 *       so one that is cut off must not keep writing to an owner that may have changed.</li>
 * </ul>
 */
public final class ShardRouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardRouter.class);

    private final RouterOptions options;
    private final TopicNames topics;
    private final String keyspace;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Timer pauses;
    private Ownership ownership; // guarded by lock
    private int inFlightMoving; // guarded by lock
    private volatile long lastContactNanos;
    private volatile boolean closing;
    private Thread follower;
    private Thread beater;

    private ShardRouter(RouterOptions options, MeterRegistry registry) {
        this.options = options;
        this.topics = TopicNames.of(options.fallback());
        this.keyspace = options.fallback().keyspace();
        this.ownership = Ownership.steady(options.fallback());
        this.pauses = Timer.builder("shardflow.router.pause").description("how long writes to moving keys waited "
                + "for a cutover fence").publishPercentiles(0.5, 0.99).register(registry);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(options.lease().toMillis()));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(options.lease().toMillis(), 1_000)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(options.lease().toMillis() / 2, 500)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20"); // a cutover's commit reaches held writes at once
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(c);
    }

    /**
     * Starts a router: it announces itself to the topology service, then reads the topology topic to its end, and
     * only then routes — so a fence published before it announced itself is one it has already seen.
     */
    public static ShardRouter start(RouterOptions options) {
        return start(options, new SimpleMeterRegistry());
    }

    public static ShardRouter start(RouterOptions options, MeterRegistry registry) {
        ShardRouter router = new ShardRouter(options, registry);
        try {
            router.beat();
            List<TopicPartition> partitions = router.consumer.partitionsFor(router.topics.topology()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            router.consumer.assign(partitions);
            router.consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = router.consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> router.consumer.position(tp) < ends.get(tp))) {
                router.consumer.poll(Duration.ofMillis(200)).forEach(r -> router.follow(r.key(), r.value()));
            }
        } catch (RuntimeException e) {
            router.close();
            throw new IllegalStateException("router " + options.routerId() + " cannot start: " + e.getMessage(), e);
        }
        router.follower = new Thread(router::followLoop, "shardflow-router-follow-" + options.routerId());
        router.beater = new Thread(router::beatLoop, "shardflow-router-beat-" + options.routerId());
        router.follower.setDaemon(true);
        router.beater.setDaemon(true);
        router.follower.start();
        router.beater.start();
        log.info("router {} of {}: routing by epoch {}", options.routerId(), router.keyspace, router.epoch());
        return router;
    }

    /** The epoch routed by now. */
    public long epoch() {
        synchronized (lock) {
            return ownership.current().epoch();
        }
    }

    /** The key's owner now; a write with it is refused if the owner changes before it runs. */
    public Route route(Object shardKey) {
        synchronized (lock) {
            return new Route(ownership.ownerOf(shardKey), ownership.current().epoch());
        }
    }

    /** True while a rebalance runs in which the key's owner changes: its writes pause during the cutover fence. */
    public boolean moving(Object shardKey) {
        synchronized (lock) {
            return ownership.moving(shardKey, ownership.ownerOf(shardKey));
        }
    }

    /** Runs {@code work} in a transaction on the owner of {@code shardKey} and commits it. */
    public <T> T write(Object shardKey, SqlWork<T> work) throws SQLException {
        return write(shardKey, null, work);
    }

    /** Runs {@code work} on the route's shard, refusing it if that shard no longer owns the key. */
    public <T> T write(Object shardKey, Route route, SqlWork<T> work) throws SQLException {
        Admission admission = admit(shardKey, route);
        try (Connection connection = pool(admission.shard()).getConnection()) {
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
            release(admission);
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

    private record Admission(String shard, long epoch, boolean moving) {}

    private Admission admit(Object shardKey, Route route) {
        long deadline = System.nanoTime() + options.fenceWait().toNanos();
        long heldSince = 0;
        synchronized (lock) {
            while (true) {
                long sinceContact = System.nanoTime() - lastContactNanos;
                if (sinceContact > options.lease().toNanos()) {
                    throw new RetryableRouteException.Unavailable("router " + options.routerId() + " has not reached "
                            + "Kafka for " + TimeUnit.NANOSECONDS.toMillis(sinceContact) + " ms, longer than its lease; "
                            + "it cannot know the owner of key " + shardKey);
                }
                String owner = ownership.ownerOf(shardKey);
                if (ownership.held().contains(owner)) {
                    throw new RetryableRouteException.Unavailable("shard " + owner + ", the owner of key " + shardKey
                            + ", is being rebuilt from the change topics; its writes are refused until that ends");
                }
                if (route != null && !route.shard().equals(owner)) {
                    throw new RetryableRouteException.StaleRoute("key " + shardKey + " was routed to " + route.shard()
                            + " at epoch " + route.epoch() + "; at epoch " + ownership.current().epoch()
                            + " its owner is " + owner + ": route it again");
                }
                boolean moving = ownership.moving(shardKey, owner);
                if (moving && ownership.fence() != null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new RetryableRouteException.FenceTimeout("key " + shardKey + " is held by cutover fence "
                                + ownership.fence() + " for longer than " + options.fenceWait().toMillis() + " ms");
                    }
                    heldSince = heldSince == 0 ? System.nanoTime() : heldSince;
                    try {
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RetryableRouteException.FenceTimeout("interrupted while key " + shardKey
                                + " was held by a cutover fence");
                    }
                    continue;
                }
                if (heldSince != 0) {
                    pauses.record(System.nanoTime() - heldSince, TimeUnit.NANOSECONDS);
                }
                if (moving) {
                    inFlightMoving++;
                }
                return new Admission(owner, ownership.current().epoch(), moving);
            }
        }
    }

    private void release(Admission admission) {
        if (!admission.moving()) {
            return;
        }
        synchronized (lock) {
            inFlightMoving--;
            if (inFlightMoving == 0 && ownership.fence() != null) {
                lock.notifyAll(); // the beat thread acknowledges the fence now
            }
        }
    }

    private void follow(byte[] key, byte[] value) {
        if (key == null || !keyspace.equals(new String(key, StandardCharsets.UTF_8)) || value == null) {
            return;
        }
        synchronized (lock) {
            if (Arrays.equals(value, ownership.stateBytes())) {
                return;
            }
            Ownership next;
            try {
                next = Ownership.of(TopologyState.fromBytes(value), value);
            } catch (RuntimeException e) {
                log.error("router {}: a topology state cannot be read ({}); routing stays on epoch {}",
                        options.routerId(), e.getMessage(), ownership.current().epoch());
                return;
            }
            if (next.current().epoch() != ownership.current().epoch() || !java.util.Objects.equals(next.fence(),
                    ownership.fence())) {
                log.info("router {}: epoch {}{}", options.routerId(), next.current().epoch(),
                        next.fence() != null ? ", holding moving keys for fence " + next.fence() : "");
            }
            ownership = next;
            lock.notifyAll(); // held writes look again; the beat thread acknowledges a new fence
        }
    }

    private void followLoop() {
        try {
            while (!closing) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> follow(r.key(), r.value()));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("router {}: stopped following the topology topic; its lease will run out", options.routerId(), e);
        }
    }

    private void beatLoop() {
        String acked = null;
        while (!closing) {
            String fence;
            synchronized (lock) {
                fence = ownership.fence() != null && inFlightMoving == 0 ? ownership.fence() : null;
                if (java.util.Objects.equals(fence, acked) || fence == null) {
                    try {
                        lock.wait(options.heartbeat().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                    fence = ownership.fence() != null && inFlightMoving == 0 ? ownership.fence() : null;
                }
            }
            try {
                beat();
                acked = fence;
            } catch (RuntimeException e) {
                if (!closing) {
                    log.warn("router {}: cannot reach Kafka ({}); writes stop when the lease runs out",
                            options.routerId(), e.getMessage());
                }
            }
        }
    }

    private void beat() {
        RouterBeat beat;
        synchronized (lock) {
            String fence = ownership.fence() != null && inFlightMoving == 0 ? ownership.fence() : null;
            beat = new RouterBeat(options.routerId(), ownership.current().epoch(), fence, inFlightMoving,
                    System.currentTimeMillis(), options.lease().toMillis());
        }
        long sentAt = System.nanoTime();
        try {
            producer.send(new ProducerRecord<>(topics.routers(), options.routerId().getBytes(StandardCharsets.UTF_8),
                    beat.toBytes())).get(options.lease().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("beat not acknowledged: " + e.getMessage(), e);
        }
        lastContactNanos = sentAt; // the lease counts from when the beat left, not from when Kafka answered
    }

    private HikariDataSource pool(String shardId) {
        return pools.computeIfAbsent(shardId, id -> {
            ShardSpec shard;
            synchronized (lock) {
                shard = ownership.current().shard(id).or(() -> ownership.other() == null ? java.util.Optional.empty()
                        : ownership.other().shard(id)).orElseThrow(() -> new IllegalArgumentException("shard " + id
                        + " is not in the topology of keyspace " + keyspace));
            }
            HikariConfig config = new HikariConfig();
            config.setPoolName("shardflow-router-" + id);
            config.setJdbcUrl(shard.jdbcUrl());
            config.setUsername(shard.user());
            config.setPassword(shard.password().resolve());
            config.setMaximumPoolSize(options.poolSize());
            config.setAutoCommit(false);
            config.setConnectionTimeout(options.connectionTimeout().toMillis());
            config.setInitializationFailTimeout(-1);
            return new HikariDataSource(config);
        });
    }

    /** Stops routing: the service is told this router left, so no fence waits for it. */
    @Override
    public void close() {
        closing = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        consumer.wakeup();
        try {
            if (follower != null) {
                follower.join(5_000);
            }
            if (beater != null) {
                beater.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            producer.send(new ProducerRecord<>(topics.routers(), options.routerId().getBytes(StandardCharsets.UTF_8),
                    null)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("router {}: could not announce that it left ({})", options.routerId(), e.getMessage());
        }
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
        pools.values().forEach(HikariDataSource::close);
    }
}
