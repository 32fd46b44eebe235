package dev.shardflow.capture;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The control tables capture keeps on a source shard, created when missing:
 * <ul>
 *   <li>{@link ControlTables#FENCE}: a cutover writes one row per fence; capture turns it into a fence marker.
 *   <li>{@link ControlTables#HEARTBEAT} (PostgreSQL only): capture's heartbeat updates its single row, so that a shard
 *       whose captured tables are idle still sees a change and its replication slot moves forward instead of
 *       making the server keep WAL written by other tables.
 * </ul>
 */
public final class SourceControlTables {
    private SourceControlTables() {}

    /** The statement capture's heartbeat runs on a PostgreSQL source. */
    /** @param schema the PostgreSQL schema of the shard's tables: Debezium's connection has no search path of ours */
    public static String heartbeatStatement(String schema) {
        return "INSERT INTO \"" + schema.replace("\"", "\"\"") + "\"." + ControlTables.HEARTBEAT + " (id, ts) VALUES (1, now()) "
                + "ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts";
    }

    public static void ensure(ShardSpec shard, String password) {
        boolean postgres = shard.engine() == Engine.POSTGRESQL;
        String timestamp = postgres ? "TIMESTAMP(3)" : "DATETIME(3)";
        List<String> ddl = new ArrayList<>(List.of("CREATE TABLE IF NOT EXISTS " + ControlTables.FENCE + " ("
                + "id VARCHAR(64) PRIMARY KEY, epoch BIGINT NOT NULL, created_at " + timestamp + " NOT NULL)"));
        if (postgres) {
            ddl.add("CREATE TABLE IF NOT EXISTS " + ControlTables.HEARTBEAT + " (id INT PRIMARY KEY, ts TIMESTAMP(3) NOT NULL)");
        }
        try (Connection connection = SourceConnection.open(shard, password);
                Statement statement = connection.createStatement()) {
            for (String sql : ddl) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("shard " + shard.id() + ": cannot create capture's control tables ("
                    + e.getMessage() + "); create them with: " + String.join("; ", ddl), e);
        }
    }
}
