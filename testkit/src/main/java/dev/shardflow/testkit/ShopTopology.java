package dev.shardflow.testkit;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.strategy.ShardingStrategy;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.ViewSpec;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.process.Scratch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code shop} keyspace of the sample schema over real testkit shards: users by id, orders by user_id,
 * order_items following orders, products as a reference table, a hash ring over the shards. Each shard's password
 * is written to a file only the topology references, as an operator would keep it.
 */
public final class ShopTopology {
    /** The tables of the sample schema and how each is placed. */
    public static final List<TableSpec> TABLES = List.of(
            TableSpec.sharded("users", List.of("id"), "id"),
            TableSpec.sharded("orders", List.of("id"), "user_id"),
            TableSpec.child("order_items", List.of("id"), "orders", "order_id"),
            TableSpec.reference("products", List.of("id")));

    /**
     * The views of the shop keyspace: {@code order_user_view} (an order with its user's name, email and country) and
     * the in-place {@code orders_username}, which keeps {@code orders.username} equal to the user's.
     */
    public static final List<ViewSpec> VIEWS = List.of(
            new ViewSpec("order_user_view", "orders", "users", "user_id", orderedMap(
                    "order_id", "orders.id", "user_id", "orders.user_id", "username", "users.username",
                    "email", "users.email", "country", "users.country", "total_amount", "orders.total_amount",
                    "status", "orders.status")),
            new ViewSpec("orders_username", "orders", "users", "user_id", Map.of("username", "users.username"), true));

    private ShopTopology() {}

    /** The same topology with the shop's {@link #VIEWS}. */
    public static Topology withViews(Topology topology) {
        return withViews(topology, VIEWS);
    }

    /** The same topology with these views. */
    public static Topology withViews(Topology topology, List<ViewSpec> views) {
        return new Topology(topology.keyspace(), topology.epoch(), topology.topicPrefix(), topology.tables(),
                topology.shards(), topology.strategy(), views, topology.maxRowBytes(), topology.ddl());
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    public static Topology of(List<? extends DatabaseShard> shards) {
        return of(shards, HashRing.builder().shards(shards.stream().map(DatabaseShard::id).toList()).build(), 0);
    }

    /**
     * Writes a topology of {@link #of} as the YAML file an operator would keep (its tables, a hash ring over its
     * shards, passwords by file) and returns its path.
     */
    public static Path writeYaml(Topology topology, Path directory) {
        StringBuilder yaml = new StringBuilder("keyspace: " + topology.keyspace() + "\nepoch: " + topology.epoch()
                + "\ntopicPrefix: " + topology.topicPrefix() + "\nshards:\n");
        for (ShardSpec shard : topology.shards()) {
            yaml.append("  - {id: ").append(shard.id()).append(", engine: ").append(shard.engine().configName())
                    .append(", jdbcUrl: \"").append(shard.jdbcUrl()).append("\", user: ").append(shard.user())
                    .append(", password: {file: \"").append(shard.password().name()).append("\"}}\n");
        }
        yaml.append("strategy: {type: hash}\ntables:\n");
        for (TableSpec table : topology.tables()) {
            yaml.append("  - {name: ").append(table.name()).append(", primaryKey: [")
                    .append(String.join(", ", table.primaryKey())).append("], ").append(switch (table.placement()) {
                        case SHARD_KEY -> "shardKey: " + table.shardKeyColumn();
                        case PARENT -> "parent: {table: " + table.parentTable() + ", column: " + table.parentColumn() + "}";
                        case REFERENCE -> "reference: true";
                    }).append("}\n");
        }
        if (!topology.views().isEmpty()) {
            yaml.append("views:\n");
        }
        for (ViewSpec view : topology.views()) {
            yaml.append("  - {name: ").append(view.name()).append(", from: ").append(view.from())
                    .append(", join: {table: ").append(view.joinTable()).append(", on: ").append(view.joinColumn())
                    .append("}, inPlace: ").append(view.inPlace()).append(", columns: {");
            yaml.append(String.join(", ", view.columns().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .toList())).append("}}\n");
        }
        if (topology.maxRowBytes() != Topology.DEFAULT_MAX_ROW_BYTES) {
            yaml.append("maxRowBytes: ").append(topology.maxRowBytes()).append('\n');
        }
        if (topology.ddl() != dev.shardflow.core.schema.DdlPolicy.PROPAGATE) {
            yaml.append("ddl: ").append(topology.ddl().configName()).append('\n');
        }
        Path file = directory.resolve("topology.yaml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /**
     * A topology document of the shop keyspace over named shards that need not exist (PostgreSQL URLs that are never
     * dialled), for routing logic and for Kafka-only tests and benchmarks: a hash ring over the shards.
     */
    public static String routingDocument(long epoch, List<String> shards) {
        StringBuilder yaml = new StringBuilder("keyspace: shop\nepoch: " + epoch + "\ntopicPrefix: sf.shop\nshards:\n");
        for (String shard : shards) {
            yaml.append("  - {id: ").append(shard).append(", engine: postgresql, jdbcUrl: \"jdbc:postgresql://h/")
                    .append(shard).append("\", user: u, password: {env: PW}}\n");
        }
        return yaml.append("""
                strategy: {type: hash}
                tables:
                  - {name: users, primaryKey: [id], shardKey: id}
                  - {name: orders, primaryKey: [id], shardKey: user_id}
                  - {name: order_items, primaryKey: [id], parent: {table: orders, column: order_id}}
                  - {name: products, primaryKey: [id], reference: true}
                views:
                  - name: order_user_view
                    from: orders
                    join: {table: users, on: user_id}
                    columns: {order_id: orders.id, user_id: orders.user_id, username: users.username,
                              email: users.email, country: users.country, total_amount: orders.total_amount,
                              status: orders.status}
                  - {name: orders_username, from: orders, join: {table: users, on: user_id}, inPlace: true,
                     columns: {username: users.username}}
                """).toString();
    }

    /** A {@code users} row as a change event carries it. */
    public static Map<String, Object> userRow(long id, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("username", "user" + id);
        row.put("email", "user" + id + "@example.com");
        row.put("country", "US");
        row.put("created_at", "2024-05-01T10:15:30.125");
        row.put("version", version);
        return row;
    }

    public static Topology of(List<? extends DatabaseShard> shards, ShardingStrategy strategy, long epoch) {
        Path secrets = Scratch.newDirectory("secrets");
        List<ShardSpec> specs = new ArrayList<>();
        for (DatabaseShard shard : shards) {
            Path passwordFile = secrets.resolve(shard.id() + ".password");
            try {
                Files.writeString(passwordFile, shard.password());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the password file of " + shard.id(), e);
            }
            specs.add(new ShardSpec(shard.id(), shard.engine(), shard.jdbcUrl(), shard.user(),
                    SecretRef.file(passwordFile.toString()), 1.0));
        }
        return new Topology("shop", epoch, "sf.shop", TABLES, specs, strategy);
    }
}
