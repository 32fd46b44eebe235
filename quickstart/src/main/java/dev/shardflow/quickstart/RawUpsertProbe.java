package dev.shardflow.quickstart;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Collections;

/**
 * What the new shard can take without shardflow in the way: a plain loop of multi-row upserts of users-shaped rows
 * into a scratch table, 500 rows a statement and a commit every 4,000, as a careful hand-written copy would write. The
 * report sets the move's rate next to it; the table is dropped afterwards.
 */
final class RawUpsertProbe {
    static final int ROWS = 20_000;
    private static final int ROWS_PER_STATEMENT = 500;
    private static final int ROWS_PER_TRANSACTION = 4_000;
    private static final String TABLE = "quickstart_raw_probe";

    private RawUpsertProbe() {}

    /** Rows/s of {@value #ROWS} upserted rows into a scratch copy of {@code users} on {@code shard}. */
    static double rowsPerSecond(DatabaseShard shard) throws SQLException {
        boolean pg = shard.engine() == Engine.POSTGRESQL;
        String sql = "INSERT INTO " + TABLE + " (id, username, email, country, created_at, version) VALUES "
                + String.join(", ", Collections.nCopies(ROWS_PER_STATEMENT, "(?, ?, ?, ?, ?, ?)"))
                + (pg ? " ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, email = EXCLUDED.email, "
                        + "country = EXCLUDED.country, created_at = EXCLUDED.created_at, version = EXCLUDED.version"
                        : " ON DUPLICATE KEY UPDATE username = VALUES(username), email = VALUES(email), "
                                + "country = VALUES(country), created_at = VALUES(created_at), "
                                + "version = VALUES(version)");
        try (Connection connection = shard.connect()) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS " + TABLE);
                ddl.execute(pg ? "CREATE TABLE " + TABLE + " (LIKE users INCLUDING ALL)"
                        : "CREATE TABLE " + TABLE + " LIKE users");
            }
            connection.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement upsert = connection.prepareStatement(sql)) {
                LocalDateTime created = LocalDateTime.of(2026, 1, 1, 12, 0);
                for (long from = 1; from <= ROWS; from += ROWS_PER_STATEMENT) {
                    int p = 1;
                    for (long id = from; id < from + ROWS_PER_STATEMENT; id++) {
                        upsert.setLong(p++, id);
                        upsert.setString(p++, "user" + id);
                        upsert.setString(p++, "u" + id + "@example.com");
                        upsert.setString(p++, id % 2 == 0 ? "DE" : "FR");
                        upsert.setObject(p++, created.plusSeconds(id));
                        upsert.setLong(p++, 1);
                    }
                    upsert.executeUpdate();
                    if ((from + ROWS_PER_STATEMENT - 1) % ROWS_PER_TRANSACTION == 0) {
                        connection.commit();
                    }
                }
                connection.commit();
            }
            double rate = ROWS / ((System.nanoTime() - started) / 1e9);
            connection.setAutoCommit(true);
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("DROP TABLE " + TABLE);
            }
            return rate;
        }
    }
}
