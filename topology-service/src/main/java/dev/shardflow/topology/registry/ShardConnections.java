package dev.shardflow.topology.registry;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's own connections to the shards — for fence markers, fence checks, verification and cleanup — a small
 * pool per shard, opened on first use, with the password read from its reference only then.
 */
public final class ShardConnections implements AutoCloseable {
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    public Connection open(ShardSpec shard) throws SQLException {
        return pools.computeIfAbsent(shard.id(), id -> {
            HikariConfig config = new HikariConfig();
            config.setPoolName("shardflow-topology-" + id);
            config.setJdbcUrl(shard.jdbcUrl());
            config.setUsername(shard.user());
            config.setPassword(shard.password().resolve());
            config.setMaximumPoolSize(2);
            config.setMinimumIdle(0);
            config.setAutoCommit(true);
            config.setConnectionTimeout(10_000);
            config.setInitializationFailTimeout(-1);
            return new HikariDataSource(config);
        }).getConnection();
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
