package dev.shardflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.ring.RingHash;
import dev.shardflow.core.strategy.CompositeStrategy;
import dev.shardflow.core.strategy.ListStrategy;
import dev.shardflow.core.strategy.RangeStrategy;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyLoaderTest {
    static final Path SHOP = Path.of("..", "examples", "shop-topology.yaml");

    static final String SHARDS = """
            shards:
              - {id: s1, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/db", user: u, password: {env: P1}}
              - {id: s2, engine: mariadb, jdbcUrl: "jdbc:mariadb://h/db", user: u, password: {env: P2}}
            tables:
              - {name: users, primaryKey: [id], shardKey: id}
            """;

    @Test
    void theShopExampleLoads() {
        Topology shop = TopologyLoader.load(SHOP, Map.of());
        assertThat(shop.keyspace()).isEqualTo("shop");
        assertThat(shop.epoch()).isEqualTo(1);
        assertThat(shop.shards()).extracting(s -> s.engine())
                .containsExactly(Engine.POSTGRESQL, Engine.POSTGRESQL, Engine.MARIADB, Engine.MARIADB);
        assertThat(shop.shard("s3").orElseThrow().password()).isEqualTo(SecretRef.file("/etc/shardflow/s3.password"));
        assertThat(shop.table("order_items").orElseThrow().placement()).isEqualTo(TableSpec.Placement.PARENT);
        assertThat(shop.table("products").orElseThrow().placement()).isEqualTo(TableSpec.Placement.REFERENCE);
        HashRing ring = (HashRing) shop.strategy();
        assertThat(ring.vnodes()).isEqualTo(150);
        assertThat(ring.tokenShares().get("s3")).isGreaterThan(ring.tokenShares().get("s0"));
    }

    @Test
    void viewsAreReadAndAViewWithoutItsKeyOrWithAnUnknownColumnIsRefused() {
        Topology shop = TopologyLoader.load(Path.of("..", "examples", "shop-topology.yaml"), Map.of());
        assertThat(shop.views()).hasSize(2).first().satisfies(view -> {
            assertThat(view.name()).isEqualTo("order_user_view");
            assertThat(view.joinTable()).isEqualTo("users");
            assertThat(view.columnOf("orders", "id")).isEqualTo("order_id");
            assertThat(view.inPlace()).isFalse();
        });
        String withOrders = SHARDS + "  - {name: orders, primaryKey: [id], shardKey: user_id}\n";
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\n" + withOrders + """
                views:
                  - {name: v, from: orders, join: {table: users, on: user_id}, columns: {name: users.username, x: carts.id}}
                """, "t.yaml", Map.of()))
                .hasMessageContaining("views[0].columns.x: 'carts.id' is not a column of orders or of the joined table")
                .hasMessageContaining("views[0].columns: no view column holds orders.id, the key of the view");
    }

    @Test
    void anInPlaceViewSetsOnlyPlainColumnsOfItsTableFromTheJoinedTable() {
        Topology shop = TopologyLoader.load(SHOP, Map.of());
        assertThat(shop.views().get(1)).satisfies(view -> {
            assertThat(view.inPlace()).isTrue();
            assertThat(view.from()).isEqualTo("orders");
            assertThat(view.columns()).containsExactly(Map.entry("username", "users.username"));
        });
        String withOrders = SHARDS + "  - {name: orders, primaryKey: [id], shardKey: user_id}\n";
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\n" + withOrders + """
                views:
                  - {name: a, from: orders, join: {table: users, on: user_id}, inPlace: true,
                     columns: {username: users.username, total: orders.total, user_id: users.id}}
                  - {name: b, from: orders, join: {table: users, on: user_id}, inPlace: true,
                     columns: {username: users.name}}
                """, "t.yaml", Map.of()))
                .hasMessageContaining("views[0].columns.total: 'orders.total' is not a column of the joined table")
                .hasMessageContaining("views[0].columns.user_id: an in-place view cannot set orders.user_id")
                .hasMessageContaining("views[1].columns.username: orders.username is already kept by another");
    }

    @Test
    void environmentVariablesOverrideValuesByTheirPath() {
        Topology shop = TopologyLoader.load(SHOP, Map.of(
                "SHARDFLOW_SHARDS_S2_JDBCURL", "jdbc:mariadb://db-7:3306/shop",
                "SHARDFLOW_STRATEGY_VNODES", "64",
                "SHARDFLOW_STRATEGY_HASH", "md5"));
        assertThat(shop.shard("s2").orElseThrow().jdbcUrl()).isEqualTo("jdbc:mariadb://db-7:3306/shop");
        assertThat(((HashRing) shop.strategy()).vnodes()).isEqualTo(64);
        assertThat(((HashRing) shop.strategy()).hash()).isEqualTo(RingHash.MD5);
    }

    @Test
    void printedShardsShowWhereThePasswordIsNotThePassword() {
        Topology shop = TopologyLoader.load(SHOP, Map.of());
        assertThat(shop.toString()).contains("env:SHOP_S0_PASSWORD");
        assertThat(SecretRef.env("SHOP_S0_PASSWORD").resolve(name -> "hunter2")).isEqualTo("hunter2");
        assertThatThrownBy(() -> SecretRef.env("NOT_SET_ANYWHERE").resolve(name -> null))
                .hasMessageContaining("NOT_SET_ANYWHERE is not set");
    }

    @Test
    void everyProblemIsReportedAtOnceNamingItsField() {
        String yaml = """
                keyspace: shop
                shards:
                  - {id: s1, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/db", user: u, password: {env: P}}
                  - {id: s1, engine: oracle, jdbcUrl: "jdbc:oracle:thin:@h", user: u, password: {env: P}}
                  - {id: s3, engine: mysql, jdbcUrl: "jdbc:mysql://h/db", user: u, password: {env: P}, weight: 0}
                strategy: {type: hash, vnodes: 0, shards: [s1, s9]}
                tables:
                  - {name: users, primaryKey: [id]}
                  - {name: a, primaryKey: [id], parent: {table: b, column: b_id}}
                  - {name: b, primaryKey: [id], parent: {table: a, column: a_id}}
                """;
        assertThatThrownBy(() -> TopologyLoader.parse(yaml, "bad.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "shards[1].id: duplicate shard id s1; give each shard a unique id",
                        "shards[1].engine: unknown engine 'oracle'; use one of postgresql, mysql, mariadb",
                        "shards[2].weight: must be a positive number, was 0.0",
                        "strategy.vnodes: must be positive, was 0; 150 is a good default",
                        "strategy.shards[1]: unknown shard 's9'; declare it under shards or fix the name",
                        "tables[0]: table users has neither a shard key nor a parent; add shardKey: <column>, "
                                + "parent: {table, column}, or reference: true",
                        "tables[1].parent: parent cycle a -> b -> a; one table in the chain needs its own shard key"))
                .hasMessageStartingWith("invalid configuration bad.yaml:");
    }

    @Test
    void unsortedRangesAndDuplicateListValuesAreReported() {
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\n" + SHARDS + """
                strategy:
                  type: range
                  keyType: date
                  ranges: [{below: "2022-01-01", shard: s1}, {below: "2021-01-01", shard: s2}]
                """, "r.yaml", Map.of()))
                .hasMessageContaining("strategy.ranges[1].below: bound 2021-01-01 is not above the previous bound");
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\n" + SHARDS + """
                strategy: {type: list, values: {s1: [DE, AT], s2: [AT]}, default: s1}
                """, "l.yaml", Map.of()))
                .hasMessageContaining("strategy.values.s2: value 'AT' is also listed for s1");
    }

    @Test
    void unknownFieldsAndBadValuesNameTheirPath() {
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\n" + SHARDS.replace("jdbcUrl", "jdbcurl")
                + "strategy: {type: hash}\n", "t.yaml", Map.of()))
                .hasMessageContaining("shards[0].jdbcurl: unknown field 'jdbcurl'; known fields here:")
                .hasMessageContaining("jdbcUrl");
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\nepoch: soon\n" + SHARDS, "t.yaml", Map.of()))
                .hasMessageContaining("epoch:");
        assertThatThrownBy(() -> TopologyLoader.parse("keyspace: k\n" + SHARDS + "strategy: {type: ring}\n", "t.yaml",
                Map.of())).hasMessageContaining("strategy.type: unknown strategy type 'ring'");
    }

    @Test
    void rangeListAndCompositeStrategiesLoad() {
        Topology range = TopologyLoader.parse("keyspace: k\n" + SHARDS + """
                strategy: {type: range, keyType: number, ranges: [{below: 1000, shard: s1}], catchAll: s2}
                """, "t.yaml", Map.of());
        assertThat(range.strategy()).isInstanceOf(RangeStrategy.class);
        assertThat(range.strategy().ownerOf(5000)).isEqualTo("s2");

        Topology list = TopologyLoader.parse("keyspace: k\n" + SHARDS + """
                strategy: {type: list, values: {s1: [DE, AT]}, default: s2}
                """, "t.yaml", Map.of());
        assertThat(((ListStrategy) list.strategy()).ownerOf("AT")).isEqualTo("s1");

        Topology composite = TopologyLoader.parse("keyspace: k\n" + SHARDS + """
                strategy:
                  type: composite
                  groups: {keyType: date, ranges: [{below: "2025-01-01", group: old}], catchAll: new}
                  rings: {old: {shards: [s1]}, new: {shards: [s1, s2]}}
                """.replace("group: old", "shard: old"), "t.yaml", Map.of());
        assertThat(composite.strategy()).isInstanceOf(CompositeStrategy.class);
        assertThat(composite.strategy().ownerOf(List.of("2024-05-01", 7L))).isEqualTo("s1");
    }
}
