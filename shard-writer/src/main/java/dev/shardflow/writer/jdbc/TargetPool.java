package dev.shardflow.writer.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The writer's connections to its target shard: a HikariCP pool that starts even while the target is down, whose
 * connections do not auto-commit and whose reads give up after a minute instead of hanging on a dead server.
 */
public final class TargetPool {
    private static final int SOCKET_TIMEOUT_SECONDS = 60;

    private TargetPool() {}

    public static HikariDataSource open(ShardSpec shard, String password, int maxSize, long connectionTimeoutMs) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("shardflow-writer-" + shard.id());
        config.setJdbcUrl(shard.jdbcUrl());
        config.setUsername(shard.user());
        config.setPassword(password);
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        config.setConnectionTimeout(connectionTimeoutMs);
        config.setInitializationFailTimeout(-1); // the writer starts and retries while the target is away
        // An instant reaches a MariaDB/MySQL TIMESTAMP as its UTC wall time: the session must read it in UTC, or a
        // server whose time_zone is not UTC stores it hours off.
        String utc = CanonicalColumns.utcSession(shard.engine());
        if (utc != null) {
            config.setConnectionInitSql(utc);
        }
        driverProperties(shard.engine()).forEach((k, v) -> config.addDataSourceProperty((String) k, v));
        return new HikariDataSource(config);
    }

    /**
     * One connection outside the pool, to tell at start a target that is down (retried) from one that refuses
     * the credentials or lacks the database (a configuration error).
     */
    public static Connection connectOnce(ShardSpec shard, String password) throws SQLException {
        Properties properties = driverProperties(shard.engine());
        properties.setProperty("user", shard.user());
        properties.setProperty("password", password);
        return RowReader.prepare(DriverManager.getConnection(shard.jdbcUrl(), properties), shard);
    }

    private static Properties driverProperties(Engine engine) {
        Properties p = new Properties();
        if (engine == Engine.POSTGRESQL) {
            p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
            p.setProperty("connectTimeout", "5");
        } else {
            p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS * 1000));
            p.setProperty("connectTimeout", "5000");
        }
        return p;
    }
}
