package dev.shardflow.cli.crossshard;

import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.ShardPools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** A small pool to every shard of both sides of a placement, for one command; closed with it. */
public final class ShardConnections implements AutoCloseable {
    private final Map<String, HikariDataSource> pools = new LinkedHashMap<>();
    private final List<ShardSpec> shards = new ArrayList<>();

    public ShardConnections(String role, Placement placement, Duration connectionTimeout) {
        shards.addAll(placement.current().shards());
        if (placement.other() != null) {
            placement.other().shards().stream().filter(s -> shards.stream().noneMatch(k -> k.id().equals(s.id())))
                    .forEach(shards::add);
        }
        try {
            for (ShardSpec shard : shards) {
                pools.put(shard.id(), ShardPools.open(shard, shard.password().resolve(), new ShardPools.Use(role, 2, 0,
                        false, connectionTimeout)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Every shard of both sides, each once. */
    public Collection<ShardSpec> shards() {
        return List.copyOf(shards);
    }

    public DataSource pool(String shardId) {
        HikariDataSource pool = pools.get(shardId);
        if (pool == null) {
            throw new IllegalStateException("shard " + shardId + " joined the topology while the command ran; run it "
                    + "again");
        }
        return pool;
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
    }
}
