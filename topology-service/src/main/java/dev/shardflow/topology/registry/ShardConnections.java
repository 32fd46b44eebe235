package dev.shardflow.topology.registry;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.ShardPools;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The service's own connections to the shards — for fence markers, fence checks, verification and cleanup — a small
 * pool per shard, opened on first use, with the password read from its reference only then.
 */
public final class ShardConnections implements AutoCloseable {
    private static final ShardPools.Use USE = new ShardPools.Use("topology", 2, 0, true, Duration.ofSeconds(10));

    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private final MeterRegistry meters;

    public ShardConnections() {
        this(null);
    }

    /** @param meters where each pool's meters ({@code hikaricp_*}) go, or null for none */
    public ShardConnections(MeterRegistry meters) {
        this.meters = meters;
    }

    public Connection open(ShardSpec shard) throws SQLException {
        return pool(shard).getConnection();
    }

    /** The pool of {@code shard}, opened on first use. */
    public DataSource pool(ShardSpec shard) {
        return pools.computeIfAbsent(shard.id(), id -> {
            HikariDataSource pool = ShardPools.open(shard, shard.password().resolve(), USE);
            if (meters != null) {
                pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
            }
            return pool;
        });
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
