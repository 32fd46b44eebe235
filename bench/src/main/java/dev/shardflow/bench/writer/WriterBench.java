package dev.shardflow.bench.writer;

import dev.shardflow.bench.Headlines;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.writer.jdbc.GuardedSql;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.kafka.TopicEnds;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import dev.shardflow.testkit.workload.RawUsers;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Rows/s into one target database, three ways, in one run on the same server: (a) a plain JDBC loop of multi-row
 * upserts with rows already in memory, the raw rate; (b) the shard writer applying a pre-filled apply topic of the
 * same rows; (c) a row-at-a-time copy like the seed's {@code ShardMigrationManager}: read one row from the source
 * table, upsert it into the target, commit, next row.
 */
public final class WriterBench {
    private static final int ROWS_PER_STATEMENT = RawUsers.ROWS_PER_STATEMENT;

    private record Result(String engine, int rows, double raw, double writer, double rowAtATime) {}

    private WriterBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        String engines = args.length > 1 ? args[1] : "postgresql,mariadb";
        int rowwiseRows = Math.min(rows, 20_000);
        List<Result> results = new ArrayList<>();
        try (KafkaCluster kafka = KafkaClusters.start()) {
            if (engines.contains("postgresql")) {
                try (PostgresShard postgres = PostgresShard.start("pg-bench")) {
                    results.add(run(kafka, postgres, rows, rowwiseRows));
                }
            }
            if (engines.contains("mariadb")) {
                try (MariaDbShard mariadb = MariaDbShard.start("maria-bench")) {
                    results.add(run(kafka, mariadb, rows, rowwiseRows));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%,d users rows; row-at-a-time on the first %,d; %d rows per statement%n",
                rows,
                rowwiseRows, ROWS_PER_STATEMENT);
        System.out.printf(Locale.ROOT, "%-11s %16s %16s %16s %10s %14s%n", "engine", "(a) raw upsert/s",
                "(b) writer/s", "(c) row-at-a-time/s", "b vs a", "b vs c");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-11s %,16.0f %,16.0f %,16.0f %9.0f%% %13.1fx%n", r.engine(), r.raw(),
                    r.writer(), r.rowAtATime(), 100 * r.writer() / r.raw(), r.writer() / r.rowAtATime());
        }
        results.forEach(r -> Headlines.ratioAndRate("writer." + r.engine(), r.writer() / r.raw(), "rows_per_s",
                r.writer()));
    }

    private static Result run(KafkaCluster kafka, DatabaseShard shard, int rows, int rowwiseRows) throws Exception {
        SampleSchema.applyTo(shard);
        boolean pg = shard.engine() == Engine.POSTGRESQL;
        shard.execute(pg ? "CREATE TABLE users_raw (LIKE users INCLUDING ALL)" : "CREATE TABLE users_raw LIKE users",
                pg ? "CREATE TABLE users_rowwise (LIKE users INCLUDING ALL)" : "CREATE TABLE users_rowwise LIKE users");
        List<Map<String, Object>> users = users(rows);
        Topology topology = ShopTopology.of(List.of(shard));
        String topic = TopicNames.of(topology).apply(shard.id());
        fill(kafka, topic, users);

        // warm-up: JIT and server caches
        RawUsers.upsert(shard, "users_raw", users.subList(0, Math.min(users.size(), 50_000)));
        shard.execute("DELETE FROM users_raw");
        // The raw rate is taken before and after the writer and averaged, so that drift of the machine during the
        // run (background flushes, autovacuum, the broker's log segments) weighs on both sides alike.
        List<Map<String, Object>> arrival = RawUsers.arrivalOrder(users);
        double rawBefore = RawUsers.upsert(shard, "users_raw", arrival);
        double writer = writer(kafka, topology, shard, topic, rows);
        shard.execute("DELETE FROM users_raw");
        double rawAfter = RawUsers.upsert(shard, "users_raw", arrival);
        shard.execute("DELETE FROM users_raw");
        double rawAscending = RawUsers.upsert(shard, "users_raw", users);
        double guarded = guardedUpsert(shard, arrival);
        double rowwise = rowAtATime(shard, rowwiseRows);
        System.out.printf(Locale.ROOT, "%s: the writer's guarded upsert in a plain loop, rows in memory, arrival "
                + "order: %,.0f rows/s%n",
                shard.engine().configName(), guarded);
        System.out.printf(Locale.ROOT, "%s: raw upsert %,.0f rows/s before the writer, %,.0f after; %,.0f with the "
                + "rows in ascending key order%n", shard.engine().configName(), rawBefore, rawAfter, rawAscending);
        return new Result(shard.engine().configName(), rows, (rawBefore + rawAfter) / 2, writer, rowwise);
    }

    private static List<Map<String, Object>> users(int rows) {
        List<Map<String, Object>> users = new ArrayList<>(rows);
        for (long id = 1; id <= rows; id++) {
            users.add(ShopTopology.userRow(id, 1));
        }
        return users;
    }

    private static void fill(KafkaCluster kafka, String topic, List<Map<String, Object>> users) throws Exception {
        kafka.createTopic(topic, 6, 1, Map.of());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        java.util.concurrent.atomic.AtomicReference<Exception> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            long position = 1_000;
            for (Map<String, Object> user : users) {
                ChangeEvent event = new ChangeEvent("shop", "users", Op.READ, Map.of("id", user.get("id")), null, user,
                        user.get("id"), new Source("source", new PostgresLsn(position += 64), null, 0), 1);
                producer.send(new ProducerRecord<>(topic, TableRowKey.of(event).toBytes(), EventJson.toBytes(event)),
                        (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                        });
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("filling " + topic + " failed", failure.get());
        }
    }

    /** The writer's own guarded statement (version column, guard) in a plain loop: what the guard costs. */
    private static double guardedUpsert(DatabaseShard shard, List<Map<String, Object>> users) throws SQLException {
        boolean pg = shard.engine() == Engine.POSTGRESQL;
        shard.execute(pg ? "CREATE TABLE users_guarded (LIKE users INCLUDING ALL)"
                : "CREATE TABLE users_guarded LIKE users");
        GuardedSql guarded = new GuardedSql(SqlDialect.of(shard.engine()), "users_guarded",
                List.of("id", "username", "email", "country", "created_at", "version"), List.of("id"));
        return RawUsers.upsert(shard, guarded::upsert, users, true);
    }

    /** (b) the writer from a pre-filled topic: from its first written row until its offsets reach the topic's end. */
    private static double writer(KafkaCluster kafka, Topology topology, DatabaseShard shard, String topic, int rows)
            throws Exception {
        WriterOptions options = WriterOptions.defaults(topology, shard.id(), kafka.bootstrapServers())
                .withLogIntervalMs(1_000);
        try (WriterService writer = new WriterService(options).start();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (writer.meters().rowsWritten() == 0) {
                check(deadline);
                Thread.sleep(1);
            }
            long started = System.nanoTime();
            long end = TopicEnds.sum(admin, topic);
            while (TopicEnds.committed(admin, options.groupId(), topic) < end) {
                check(deadline);
                Thread.sleep(20);
            }
            return rows / seconds(started);
        }
    }

    /** (c) like the seed's migration script: per row, a SELECT from the source and an upsert, each row committed. */
    private static double rowAtATime(DatabaseShard shard, int rows) throws SQLException {
        boolean pg = shard.engine() == Engine.POSTGRESQL;
        String upsert = "INSERT INTO users_rowwise (id, username, email, country, created_at, version) "
                + "VALUES (?, ?, ?, ?, ?, ?)" + (pg ? " ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, "
                        + "email = EXCLUDED.email" : " ON DUPLICATE KEY UPDATE username = VALUES(username), "
                        + "email = VALUES(email)");
        long started = System.nanoTime();
        try (Connection source = shard.connect(); Connection target = shard.connect();
                PreparedStatement select = source.prepareStatement("SELECT * FROM users_raw WHERE id = ?");
                PreparedStatement insert = target.prepareStatement(upsert)) {
            for (long id = 1; id <= rows; id++) {
                select.setLong(1, id);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    insert.setLong(1, row.getLong("id"));
                    insert.setString(2, row.getString("username"));
                    insert.setString(3, row.getString("email"));
                    insert.setString(4, row.getString("country"));
                    insert.setTimestamp(5, row.getTimestamp("created_at"));
                    insert.setLong(6, row.getLong("version"));
                }
                insert.executeUpdate();
            }
        }
        return rows / seconds(started);
    }

    private static void check(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the writer did not finish within 10 minutes");
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
