package dev.shardflow.testkit.workload;

import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * What a shard can take with nothing of shardflow in the way, the baseline the writing benchmarks and the quickstart's
 * report are measured against: {@code users} rows already in memory, written by a plain JDBC loop of multi-row upserts
 * of {@value #ROWS_PER_STATEMENT} rows, committed every {@value #ROWS_PER_TRANSACTION} rows — as a careful
 * hand-written copy would.
 */
public final class RawUsers {
    public static final int ROWS_PER_STATEMENT = 500;
    public static final int ROWS_PER_TRANSACTION = 4000;

    private RawUsers() {}

    /**
     * The rows in the order a writer receives them: spread over the key range as the topic's partitioner spreads
     * them, each transaction's rows sorted by key as the writer sorts a batch.
     */
    public static List<Map<String, Object>> arrivalOrder(List<Map<String, Object>> users) {
        List<Map<String, Object>> shuffled = new ArrayList<>(users);
        Collections.shuffle(shuffled, new Random(42));
        List<Map<String, Object>> arrival = new ArrayList<>(users.size());
        for (int from = 0; from < shuffled.size(); from += ROWS_PER_TRANSACTION) {
            List<Map<String, Object>> transaction = new ArrayList<>(shuffled.subList(from,
                    Math.min(shuffled.size(), from + ROWS_PER_TRANSACTION)));
            transaction.sort(Comparator.comparingLong(row -> (Long) row.get("id")));
            arrival.addAll(transaction);
        }
        return arrival;
    }

    /** A plain upsert of {@code rows} rows of every column of {@code users} into {@code table}. */
    public static String upsertSql(Engine engine, String table, int rows) {
        return "INSERT INTO " + table + " (id, username, email, country, created_at, version) VALUES "
                + String.join(", ", Collections.nCopies(rows, "(?, ?, ?, ?, ?, ?)"))
                + (engine == Engine.POSTGRESQL ? " ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, "
                        + "email = EXCLUDED.email, country = EXCLUDED.country, created_at = EXCLUDED.created_at, "
                        + "version = EXCLUDED.version"
                        : " ON DUPLICATE KEY UPDATE username = VALUES(username), email = VALUES(email), "
                                + "country = VALUES(country), created_at = VALUES(created_at), "
                                + "version = VALUES(version)");
    }

    /** Rows/s of the plain upsert of {@code users} into {@code table} (created like {@code users} beforehand). */
    public static double upsert(DatabaseShard shard, String table, List<Map<String, Object>> users)
            throws SQLException {
        return upsert(shard, rows -> upsertSql(shard.engine(), table, rows), users, false);
    }

    /**
     * Rows/s of {@code sqlFor} (a multi-row upsert of that many users rows: {@value #ROWS_PER_STATEMENT}, and fewer
     * for the last statement) over {@code users} in order; with {@code versioned}, each row also binds a version
     * stamp as the writer's guarded statement expects.
     */
    public static double upsert(DatabaseShard shard, IntFunction<String> sqlFor, List<Map<String, Object>> users,
            boolean versioned) throws SQLException {
        long started = System.nanoTime();
        long position = 1_000;
        try (Connection connection = shard.connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement full = connection.prepareStatement(sqlFor.apply(ROWS_PER_STATEMENT))) {
                for (int from = 0; from < users.size(); from += ROWS_PER_STATEMENT) {
                    List<Map<String, Object>> rows = users.subList(from, Math.min(users.size(),
                            from + ROWS_PER_STATEMENT));
                    PreparedStatement statement = rows.size() == ROWS_PER_STATEMENT ? full
                            : connection.prepareStatement(sqlFor.apply(rows.size()));
                    int p = 1;
                    for (Map<String, Object> user : rows) {
                        statement.setLong(p++, (Long) user.get("id"));
                        statement.setString(p++, (String) user.get("username"));
                        statement.setString(p++, (String) user.get("email"));
                        statement.setString(p++, (String) user.get("country"));
                        statement.setObject(p++, LocalDateTime.parse((String) user.get("created_at")));
                        statement.setLong(p++, (Long) user.get("version"));
                        if (versioned) {
                            statement.setBytes(p++, new VersionStamp(1, new PostgresLsn(position += 64)).toBytes());
                        }
                    }
                    statement.executeUpdate();
                    if (statement != full) {
                        statement.close();
                    }
                    if ((from + ROWS_PER_STATEMENT) % ROWS_PER_TRANSACTION == 0) {
                        connection.commit();
                    }
                }
                connection.commit();
            }
        }
        return users.size() / ((System.nanoTime() - started) / 1e9);
    }
}
