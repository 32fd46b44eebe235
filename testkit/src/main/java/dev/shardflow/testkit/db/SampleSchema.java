package dev.shardflow.testkit.db;

import dev.shardflow.core.topology.Engine;
import java.util.List;

/**
 * The sample {@code shop} keyspace of the sharding chapter our users learned from: {@code users} (shard key
 * {@code id}), {@code orders} (shard key {@code user_id}), {@code order_items} (follows {@code orders} through
 * {@code order_id}) and the reference table {@code products}, one script per SQL dialect.
 */
public final class SampleSchema {
    /** The tables whose rows are spread over the shards. */
    public static final List<String> SHARDED_TABLES = List.of("users", "orders", "order_items");
    /** The tables copied whole to every shard. */
    public static final List<String> REFERENCE_TABLES = List.of("products");

    private SampleSchema() {}

    public static void applyTo(DatabaseShard shard) {
        shard.runScript(scriptFor(shard.engine()));
    }

    /**
     * The sample schema with {@code orders} natively partitioned by range of {@code id}: on PostgreSQL two ranges
     * ({@code orders_low} below 5,000, {@code orders_mid} below 10,000) and a default partition {@code orders_rest},
     * each with {@code REPLICA IDENTITY FULL}; on MariaDB/MySQL partitions {@code p_low}, {@code p_mid} and
     * {@code p_rest} (below 1,000,000), so that a partition can be added above.
     */
    public static void applyPartitionedTo(DatabaseShard shard) {
        applyTo(shard);
        shard.runScript(switch (shard.engine()) {
            case POSTGRESQL -> "dev/shardflow/testkit/schema/orders-partitioned-postgresql.sql";
            case MARIADB, MYSQL -> "dev/shardflow/testkit/schema/orders-partitioned-mariadb.sql";
        });
    }

    public static String scriptFor(Engine engine) {
        return switch (engine) {
            case POSTGRESQL -> "dev/shardflow/testkit/schema/shop-postgresql.sql";
            case MARIADB, MYSQL -> "dev/shardflow/testkit/schema/shop-mariadb.sql";
        };
    }
}
