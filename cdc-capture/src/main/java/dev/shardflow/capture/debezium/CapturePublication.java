package dev.shardflow.capture.debezium;

import dev.shardflow.capture.SourceConnection;
import dev.shardflow.core.retry.Backoff;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publication a PostgreSQL shard is captured through, made ready before the engine starts:
 * <ul>
 *   <li>created when missing, for the captured tables, publishing partitioned tables under the partition root's
 *       name ({@code publish_via_partition_root}), so that the table filter on the root keeps their changes;
 *   <li>set to publish through the root when it exists without it — made by hand or by an older capture, it names
 *       each partition, and every live change of a partitioned table would be dropped, silently.
 * </ul>
 * Creating it takes a lock on every captured table, so it can meet a deadlock with DDL on the same tables (a writer
 * preparing its columns on a shard that is also a source); it is tried again then, with backoff. Debezium then finds
 * the publication up to date and changes nothing.
 */
public final class CapturePublication {
    private static final Logger log = LoggerFactory.getLogger(CapturePublication.class);
    /** deadlock detected, lock not available, serialization failure: the statement may simply be tried again */
    private static final Set<String> TRANSIENT = Set.of("40P01", "55P03", "40001");
    private static final int ATTEMPTS = 8;
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));

    private CapturePublication() {}

    /** @param tables the captured tables, of the schema of the shard's JDBC URL ({@code currentSchema}) */
    public static void ensure(ShardSpec shard, String password, String publication, List<String> tables) {
        String schema = JdbcTarget.parse(shard.jdbcUrl(), 5432).schema();
        for (int attempt = 1; ; attempt++) {
            try {
                ensureOnce(shard, password, publication, schema, tables);
                return;
            } catch (SQLException e) {
                if (!TRANSIENT.contains(e.getSQLState()) || attempt >= ATTEMPTS) {
                    throw new IllegalStateException("shard " + shard.id() + ": cannot make publication " + publication
                            + " ready (" + e.getMessage() + "); create it with: " + create(publication, schema, tables),
                            e);
                }
                Duration wait = BACKOFF.delay(attempt);
                log.warn("shard {}: publication {} not made ready yet ({}); trying again in {} ms", shard.id(),
                        publication, e.getMessage(), wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while making publication " + publication + " ready",
                            interrupted);
                }
            }
        }
    }

    private static void ensureOnce(ShardSpec shard, String password, String publication, String schema,
            List<String> tables) throws SQLException {
        try (Connection connection = SourceConnection.open(shard, password);
                PreparedStatement query = connection.prepareStatement(
                        "SELECT pubviaroot FROM pg_publication WHERE pubname = ?")) {
            query.setString(1, publication);
            Boolean viaRoot;
            try (ResultSet row = query.executeQuery()) {
                viaRoot = row.next() ? row.getBoolean(1) : null;
            }
            try (Statement statement = connection.createStatement()) {
                if (viaRoot == null) {
                    statement.execute(create(publication, schema, tables));
                    log.info("shard {}: publication {} created for {}, partitioned tables under their root's name",
                            shard.id(), publication, tables);
                } else if (!viaRoot) {
                    statement.execute("ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = true)");
                    log.info("shard {}: publication {} now publishes partitioned tables under their root's name "
                            + "(publish_via_partition_root = true)", shard.id(), publication);
                }
            }
        }
    }

    private static String create(String publication, String schema, List<String> tables) {
        return "CREATE PUBLICATION " + publication + " FOR TABLE " + tables.stream()
                .map(t -> quote(schema) + "." + quote(t)).collect(Collectors.joining(", "))
                + " WITH (publish_via_partition_root = true)";
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
