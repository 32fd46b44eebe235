package dev.shardflow.topology.registry;

import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.ShardPools;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's own connections to the shards — for fence markers, fence checks, verification and cleanup — a small
 * pool per shard, opened on first use, with the password read from its reference only then.
 */
public final class ShardConnections implements AutoCloseable {
    private static final ShardPools.Use USE = new ShardPools.Use("topology", 2, 0, true, Duration.ofSeconds(10));

    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    public Connection open(ShardSpec shard) throws SQLException {
        return pools.computeIfAbsent(shard.id(), id -> ShardPools.open(shard, shard.password().resolve(), USE))
                .getConnection();
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
