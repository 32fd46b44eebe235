package dev.shardflow.capture;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The {@code _shardflow_fence} control table of a source shard. A cutover writes one row per fence there; capture
 * turns the row's change into a fence marker. Created by capture when missing.
 */
public final class FenceTable {

    private FenceTable() {}

    public static void ensure(ShardSpec shard, String password) {
        String timestamp = shard.engine() == Engine.POSTGRESQL ? "TIMESTAMP(3)" : "DATETIME(3)";
        String ddl = "CREATE TABLE IF NOT EXISTS " + ChangeEvent.FENCE_TABLE + " ("
                + "id VARCHAR(64) PRIMARY KEY, epoch BIGINT NOT NULL, created_at " + timestamp + " NOT NULL)";
        Properties credentials = new Properties();
        credentials.setProperty("user", shard.user());
        credentials.setProperty("password", password);
        try (Connection connection = DriverManager.getConnection(shard.jdbcUrl(), credentials);
                Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        } catch (SQLException e) {
            throw new IllegalStateException("shard " + shard.id() + ": cannot create the control table "
                    + ChangeEvent.FENCE_TABLE + " (" + e.getMessage() + "); create it with: " + ddl, e);
        }
    }
}
