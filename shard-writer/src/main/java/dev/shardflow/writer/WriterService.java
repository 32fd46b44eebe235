package dev.shardflow.writer;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.ViewSpec;
import dev.shardflow.jdbc.Privileges;
import dev.shardflow.jdbc.ShardPools;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.kafka.ClusterCheck;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.Health;
import dev.shardflow.process.Probes;
import dev.shardflow.writer.apply.ApplyLoop;
import dev.shardflow.writer.apply.BatchApplier;
import dev.shardflow.writer.apply.WriterMeters;
import dev.shardflow.writer.jdbc.TargetSchema;
import dev.shardflow.writer.kafka.DeadLetters;
import dev.shardflow.writer.schema.SchemaChanges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of one target shard, as a library: {@link #start} checks the target, prepares its schema and starts
 * applying the shard's topics on a thread of its own; {@link #close} stops it. Several writers of one shard (in
 * one process or many) share the work by Kafka partitions.
 */
public final class WriterService implements AutoCloseable, Health {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(WriterService.class);
    // invalid authorization; invalid catalog (PostgreSQL); access denied, unknown database (MariaDB/MySQL)
    private static final Set<String> CONFIGURATION_STATES = Set.of("28000", "28P01", "3D000", "42000");

    private final WriterOptions options;
    private final WriterMeters meters;
    private final MeterRegistry registry;
    private final Probes probes = new Probes(PROBE_INTERVAL, PROBE_TIMEOUT);
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private ClusterCheck kafka;
    private HikariDataSource pool;
    private final List<ApplyLoop> loops = new java.util.ArrayList<>();
    private final List<Thread> threads = new java.util.ArrayList<>();

    public WriterService(WriterOptions options) {
        this(options, new SimpleMeterRegistry());
    }

    public WriterService(WriterOptions options, MeterRegistry registry) {
        this.options = options;
        this.meters = new WriterMeters(registry, options.shard().id());
        this.registry = registry;
    }

    /**
     * Starts the writer. A target that cannot be reached now is not an error (the writer retries until it can), nor
     * is a privilege its user lacks (the writer names the GRANT, is not ready, and retries until it is given);
     * credentials it refuses, a database it lacks or a table without the version column while schema management is
     * off fail here with the reason.
     */
    public WriterService start() {
        options.kafka().verify(KafkaConnection.START_TIMEOUT); // a wrong address or credential stops it here
        String shardId = options.shard().id();
        String password = options.shard().password().resolve();
        SqlDialect dialect = SqlDialect.of(options.shard().engine());
        List<String> tables = new ArrayList<>(options.topology().tables().stream().map(TableSpec::name).toList());
        // a writer of a view's target manages the view's table like the others
        TopicNames names = TopicNames.of(options.topology());
        Set<String> views = new LinkedHashSet<>();
        options.topology().views().stream().filter(view -> !view.inPlace()
                && options.topics().contains(names.view(view.name()))).forEach(view -> views.add(view.name()));
        tables.addAll(views);
        TargetSchema schema = new TargetSchema(dialect);
        Map<String, List<String>> patched = new HashMap<>();
        options.topology().views().stream().filter(ViewSpec::inPlace).forEach(view -> patched
                .computeIfAbsent(view.from(), t -> new ArrayList<>()).addAll(view.columns().keySet()));
        BatchApplier.Preparation preparation = connection -> schema.prepare(connection, tables, views, patched,
                options.manageSchema());
        try (Connection connection = ShardPools.connectOnce(options.shard(), password)) {
            connection.setAutoCommit(false);
            preparation.prepare(connection);
            preparation = null;
        } catch (SQLException e) {
            if (Privileges.isDenied(e)) {
                log.error("writer {}: its user {} lacks a privilege on {} ({}){}; the writer waits and retries until it "
                        + "is granted", shardId, options.shard().user(), options.shard().jdbcUrl(), e.getMessage(),
                        grants(password, tables));
            } else if (e.getSQLState() != null && CONFIGURATION_STATES.contains(e.getSQLState())) {
                throw new IllegalStateException("shard " + shardId + " (" + options.shard().jdbcUrl() + ", user "
                        + options.shard().user() + ") refuses the writer: " + e.getMessage(), e);
            } else {
                log.warn("writer {}: target {} not reachable at start ({}); the writer retries until it is",
                        shardId, options.shard().jdbcUrl(), e.getMessage());
            }
        }
        pool = ShardPools.open(options.shard(), password, new ShardPools.Use("writer", options.poolSize(), 1, false,
                Duration.ofMillis(options.connectionTimeoutMs())));
        pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        BatchApplier applier = new BatchApplier(pool, dialect, options.rowsPerStatement(), preparation)
                .handleSchemas(new SchemaChanges(shardId, options.shard().engine(), options.topology().ddl()));
        String dlq = names.dlq();
        for (int i = 0; i < options.consumers(); i++) {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(i));
            KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
            consumerMetrics.bindTo(registry);
            clientMetrics.add(consumerMetrics);
            ApplyLoop loop = new ApplyLoop(shardId + "#" + i, options.topology(), consumer, options.topics(),
                    applier, () -> new DeadLetters(options.kafka(), dlq, shardId,
                    options.topology().maxMessageBytes()), options.backoff(), meters,
                    options.logIntervalMs());
            Thread thread = new Thread(loop, "writer-" + shardId + "#" + i);
            loops.add(loop);
            threads.add(thread);
            thread.start();
        }
        kafka = ClusterCheck.of(options.kafka(), PROBE_TIMEOUT);
        probes.add("kafka", kafka::check).add("target " + shardId, () -> {
            try (Connection connection = ShardPools.connectOnce(options.shard(), password)) {
                if (!connection.isValid((int) PROBE_TIMEOUT.toSeconds())) {
                    throw new IllegalStateException("the connection to " + options.shard().jdbcUrl()
                            + " is not valid");
                }
                List<Privileges.Missing> missing = Privileges.missing(connection, options.shard(), needs(tables));
                if (!missing.isEmpty()) {
                    throw new Probes.NotReady("MISSING_PRIVILEGES", missing.stream()
                            .map(Privileges.Missing::toString).collect(java.util.stream.Collectors.joining("; ")));
                }
            }
        }).start();
        log.info("writer {}: applying {} to {} with {} consumers, in batches of up to {} changes", shardId,
                options.topics(), options.shard().jdbcUrl(), options.consumers(), options.maxBatchRows());
        return this;
    }

    private Privileges.Needs needs(List<String> tables) {
        return new Privileges.Needs(tables, false, true, options.manageSchema(), null);
    }

    /** The GRANTs the writer's user lacks, for a log line; empty when none is found or the target cannot say. */
    private String grants(String password, List<String> tables) {
        try (Connection connection = ShardPools.connectOnce(options.shard(), password)) {
            List<Privileges.Missing> missing = Privileges.missing(connection, options.shard(), needs(tables));
            return missing.isEmpty() ? "" : ": " + missing.stream().map(Privileges.Missing::toString)
                    .collect(java.util.stream.Collectors.joining("; "));
        } catch (SQLException e) {
            return "";
        }
    }

    private Properties consumerProperties(int index) {
        Properties p = options.kafka().client(Map.of());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "shardflow-writer-" + options.shard().id() + "-" + index);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the rebalancer writes the apply topics in transactions: never apply what it aborted
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(options.maxBatchRows()));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024));
        // read_committed: a fetch that finds only an open transaction otherwise waits out its 500 ms default, which a
        // fence marker would pay at every hop
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(options.sessionTimeoutMs()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(Math.max(500, options.sessionTimeoutMs() / 4)));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** The least healthy state of the writer's loops: failed before retrying before starting before running. */
    public ApplyLoop.State state() {
        if (loops.isEmpty()) {
            return ApplyLoop.State.STARTING;
        }
        List<ApplyLoop.State> states = loops.stream().map(ApplyLoop::state).toList();
        for (ApplyLoop.State worst : List.of(ApplyLoop.State.FAILED, ApplyLoop.State.RETRYING, ApplyLoop.State.STARTING,
                ApplyLoop.State.STOPPED)) {
            if (states.contains(worst)) {
                return worst;
            }
        }
        return ApplyLoop.State.RUNNING;
    }

    /** Each consumer loop, then Kafka and the target as their last check found them. */
    @Override
    public List<Loop> loops() {
        List<Loop> all = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            ApplyLoop loop = loops.get(i);
            ApplyLoop.State state = loop.state();
            all.add(new Loop("writer " + options.shard().id() + "#" + i, state == ApplyLoop.State.RUNNING,
                    state.name(), state == ApplyLoop.State.RUNNING ? "" : loop.lastError()));
        }
        all.addAll(probes.loops());
        return all;
    }

    public WriterMeters meters() {
        return meters;
    }

    @Override
    public void close() {
        probes.close();
        loops.forEach(ApplyLoop::stop);
        for (Thread thread : threads) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clientMetrics.forEach(KafkaClientMetrics::close);
        if (kafka != null) {
            kafka.close();
        }
        if (pool != null) {
            pool.close();
        }
        log.info("writer {}: stopped", options.shard().id());
    }
}
