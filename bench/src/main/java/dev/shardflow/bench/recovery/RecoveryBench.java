package dev.shardflow.bench.recovery;

import dev.shardflow.bench.Headlines;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.contract.ControlTables;
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
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.topology.verify.ChunkedVerifier;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.verify.VerifySettings;
import dev.shardflow.writer.replay.ReplayOptions;
import dev.shardflow.writer.replay.ReplayReport;
import dev.shardflow.writer.replay.ShardReplay;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Rows/s of verify and replay next to the raw rates of the same database in the same run: (a) a plain JDBC loop of
 * multi-row upserts loading the {@code users} table, (b) a plain JDBC read of the whole table; then (c) verify of
 * every shard and table (each row read, canonically hashed and placed), and (d) a replay that rebuilds the table
 * from the change topics after the schema was dropped (copy, catch-up to a watermark, and the final check).
 */
public final class RecoveryBench {
    private static final int ROWS_PER_STATEMENT = 500;
    private static final int ROWS_PER_TRANSACTION = 4000;

    private record Result(String engine, int rows, double upsert, double read, double verify, double replay) {}

    private RecoveryBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        String engines = args.length > 1 ? args[1] : "postgresql,mariadb";
        List<Result> results = new ArrayList<>();
        // a cluster per engine: each run's change topics hold its own shard's history only
        if (engines.contains("postgresql")) {
            try (KafkaCluster kafka = KafkaClusters.start(); PostgresShard postgres = PostgresShard.start("pg-recovery")) {
                results.add(run(kafka, postgres, rows));
            }
        }
        if (engines.contains("mariadb")) {
            try (KafkaCluster kafka = KafkaClusters.start(); MariaDbShard mariadb = MariaDbShard.start("maria-recovery")) {
                results.add(run(kafka, mariadb, rows));
            }
        }
        System.out.printf(Locale.ROOT, "%n%,d users rows per engine%n", rows);
        System.out.printf(Locale.ROOT, "%-11s %16s %16s %14s %16s %16s %14s%n", "engine", "(a) raw upsert/s",
                "(d) replay/s", "d vs a", "(b) raw read/s", "(c) verify/s", "c vs b");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-11s %,16.0f %,16.0f %13.0f%% %,16.0f %,16.0f %13.0f%%%n", r.engine(),
                    r.upsert(), r.replay(), 100 * r.replay() / r.upsert(), r.read(), r.verify(),
                    100 * r.verify() / r.read());
        }
        for (Result r : results) {
            Headlines.ratio("verify." + r.engine() + ".ratio", r.verify() / r.read());
            Headlines.rate("verify." + r.engine() + ".rows_per_s", r.verify());
            Headlines.ratio("replay." + r.engine() + ".ratio", r.replay() / r.upsert());
            Headlines.rate("replay." + r.engine() + ".rows_per_s", r.replay());
        }
    }

    private static Result run(KafkaCluster kafka, DatabaseShard shard, int rows) throws Exception {
        SampleSchema.applyTo(shard);
        Topology topology = ShopTopology.of(List.of(shard));
        double upsert = load(shard, rows);
        try (CaptureService capture = new CaptureService(CaptureOptions.defaults(topology, kafka.bootstrapServers()))
                .start()) {
            String topic = TopicNames.of(topology).cdc("users");
            awaitCaptured(kafka, topic, rows);
            // a marker written now reaches the topic only once the snapshot is done and capture streams
            try (Connection connection = shard.connect();
                    PreparedStatement insert = connection.prepareStatement(ControlTables.FENCE_INSERT)) {
                insert.setString(1, "bench-streaming");
                insert.setLong(2, topology.epoch());
                insert.executeUpdate();
            }
            awaitCaptured(kafka, topic, rows + 6);
        }
        double read = read(shard);
        double verify;
        try (ShardConnections connections = new ShardConnections();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            long started = System.nanoTime();
            long[] verified = {0};
            VerifyReport report = new ChunkedVerifier(connections, new MarkerPaths(admin),
                    VerifySettings.defaults().withRowsPerSecond(0)).verify(new ChunkedVerifier.Scope(topology, null,
                            true), null, progress -> verified[0] = progress.rowsRead());
            verify = verified[0] / seconds(started);
            System.out.printf(Locale.ROOT, "%s: verify of every shard: %s%n", shard.engine().configName(),
                    report);
        }

        if (shard.engine() == Engine.POSTGRESQL) {
            shard.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
        } else {
            shard.execute("DROP DATABASE " + shard.database(), "CREATE DATABASE " + shard.database());
        }
        SampleSchema.applyTo(shard);
        ReplayReport report;
        long started;
        try (CaptureService capture = new CaptureService(CaptureOptions.defaults(topology, kafka.bootstrapServers()))
                .start()) {
            started = System.nanoTime();
            report = new ShardReplay(ReplayOptions.defaults(topology, shard.id(), kafka.bootstrapServers())
                    .withRowsPerSecond(0)).run(progress -> { });
        }
        double replay = report.applied() / seconds(started);
        System.out.printf(Locale.ROOT, "%s: replay %,.0f rows/s over the whole run (index, copy, check), %,.0f rows/s "
                + "in its copy%n", shard.engine().configName(), replay, report.applied() * 1000.0
                / Math.max(1, report.copyMs()));
        System.out.printf(Locale.ROOT, "%s: replay: %s%n", shard.engine().configName(), report);
        return new Result(shard.engine().configName(), rows, upsert, read, verify, replay);
    }

    /** (a) multi-row upserts of rows in memory, committed every few thousand rows. */
    private static double load(DatabaseShard shard, int rows) throws Exception {
        boolean pg = shard.engine() == Engine.POSTGRESQL;
        String sql = "INSERT INTO users (id, username, email, country, created_at, version) VALUES "
                + String.join(", ", Collections.nCopies(ROWS_PER_STATEMENT, "(?, ?, ?, ?, ?, ?)"))
                + (pg ? " ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username" :
                        " ON DUPLICATE KEY UPDATE username = VALUES(username)");
        long started = System.nanoTime();
        try (Connection connection = shard.connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            connection.setAutoCommit(false);
            LocalDateTime created = LocalDateTime.of(2026, 1, 1, 12, 0);
            for (long from = 1; from + ROWS_PER_STATEMENT - 1 <= rows; from += ROWS_PER_STATEMENT) {
                int p = 1;
                for (long id = from; id < from + ROWS_PER_STATEMENT; id++) {
                    statement.setLong(p++, id);
                    statement.setString(p++, "user" + id);
                    statement.setString(p++, "u" + id + "@example.com");
                    statement.setString(p++, "DE");
                    statement.setObject(p++, created.plusSeconds(id));
                    statement.setLong(p++, 1);
                }
                statement.executeUpdate();
                if ((from + ROWS_PER_STATEMENT - 1) % ROWS_PER_TRANSACTION == 0) {
                    connection.commit();
                }
            }
            connection.commit();
        }
        return rows / seconds(started);
    }

    /** (b) every row of the table through a plain JDBC loop, each column read as the driver likes. */
    private static double read(DatabaseShard shard) throws Exception {
        long started = System.nanoTime();
        long count = 0;
        try (Connection connection = shard.connect()) {
            connection.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(1_000);
                try (ResultSet result = statement.executeQuery("SELECT * FROM users")) {
                    int columns = result.getMetaData().getColumnCount();
                    while (result.next()) {
                        for (int i = 1; i <= columns; i++) {
                            result.getObject(i);
                        }
                        count++;
                    }
                }
            }
            connection.commit();
        }
        return count / seconds(started);
    }

    private static void awaitCaptured(KafkaCluster kafka, String topic, int rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            while (true) {
                long end = TopicEnds.sum(admin, topic);
                if (end >= rows) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("capture put only " + end + " of " + rows + " rows into " + topic);
                }
                Thread.sleep(200);
            }
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
