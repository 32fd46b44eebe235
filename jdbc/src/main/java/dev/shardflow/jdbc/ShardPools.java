package dev.shardflow.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * The one way shardflow connects to a shard: a HikariCP pool that starts even while the shard is down (and connects
 * once it is back), whose sessions read instants in UTC, and whose reads give up after a minute instead of hanging
 * on a dead server. Writers, replay, verify, the topology service and the routers all open their pools here, each
 * with its own {@link Use}.
 */
public final class ShardPools {
    private static final int SOCKET_TIMEOUT_SECONDS = 60;
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    /**
     * How one component uses its pool.
     *
     * @param role names the pool in logs and metrics: {@code writer}, {@code router}, {@code topology}, ...
     * @param autoCommit false where the component runs its own transactions
     */
    public record Use(String role, int maxSize, int minIdle, boolean autoCommit, Duration connectionTimeout) {
        public Use {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(connectionTimeout, "connectionTimeout");
            if (maxSize < 1) {
                throw new IllegalArgumentException("a pool of " + role + " needs at least one connection, was "
                        + maxSize);
            }
            if (minIdle < 0 || minIdle > maxSize) {
                throw new IllegalArgumentException("minIdle of the pool of " + role + " must be within 0.." + maxSize
                        + ", was " + minIdle);
            }
        }
    }

    private ShardPools() {}

    /** A pool to {@code shard}; the password is only held by the pool. */
    public static HikariDataSource open(ShardSpec shard, String password, Use use) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("shardflow-" + use.role() + "-" + shard.id());
        config.setJdbcUrl(shard.jdbcUrl());
        config.setUsername(shard.user());
        config.setPassword(password);
        config.setMaximumPoolSize(use.maxSize());
        config.setMinimumIdle(use.minIdle());
        config.setAutoCommit(use.autoCommit());
        config.setConnectionTimeout(use.connectionTimeout().toMillis());
        config.setInitializationFailTimeout(-1); // start, and connect once the shard is back
        // An instant reaches a MariaDB/MySQL TIMESTAMP as its UTC wall time: the session must read it in UTC, or a
        // server whose time_zone is not UTC stores (and verify reads) it hours off.
        String utc = CanonicalColumns.utcSession(shard.engine());
        if (utc != null) {
            config.setConnectionInitSql(utc);
        }
        driverProperties(shard.engine()).forEach((k, v) -> config.addDataSourceProperty((String) k, v));
        return new HikariDataSource(config);
    }

    /**
     * One connection outside any pool, to tell at start a shard that is down (retried) from one that refuses the
     * credentials or lacks the database (a configuration error).
     */
    public static Connection connectOnce(ShardSpec shard, String password) throws SQLException {
        Properties properties = driverProperties(shard.engine());
        properties.setProperty("user", shard.user());
        properties.setProperty("password", password);
        return RowReader.prepare(DriverManager.getConnection(shard.jdbcUrl(), properties), shard);
    }

    private static Properties driverProperties(Engine engine) {
        Properties p = new Properties();
        // PostgreSQL's driver counts these in seconds, MariaDB's in milliseconds
        if (engine == Engine.POSTGRESQL) {
            p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
            p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        } else {
            p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS * 1000));
            p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
        }
        return p;
    }
}
