package dev.shardflow.capture;

import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The one way capture opens a plain JDBC connection to a source shard (checks, control tables). */
public final class SourceConnection {

    private SourceConnection() {}

    public static Connection open(ShardSpec shard, String password) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", shard.user());
        credentials.setProperty("password", password);
        return DriverManager.getConnection(shard.jdbcUrl(), credentials);
    }
}
