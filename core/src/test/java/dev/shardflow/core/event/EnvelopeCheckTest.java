package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.ViewSpec;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeCheckTest {
    private static final Topology SHOP = new Topology("shop", 3, "sf.shop",
            List.of(TableSpec.sharded("users", List.of("id"), "id"),
                    TableSpec.sharded("orders", List.of("id"), "user_id"),
                    TableSpec.child("order_items", List.of("id"), "orders", "order_id"),
                    TableSpec.reference("products", List.of("id"))),
            List.of(shard("s1"), shard("s2")), HashRing.builder().shard("s1").shard("s2").build(),
            List.of(new ViewSpec("order_user_view", "orders", "users", "user_id",
                    Map.of("order_id", "orders.id", "username", "users.username"))));

    private static ShardSpec shard(String id) {
        return new ShardSpec(id, Engine.POSTGRESQL, "jdbc:postgresql://localhost/" + id, "shardflow",
                SecretRef.env("PW"), 1.0);
    }

    private static ChangeEvent event(String keyspace, String table, Op op, Map<String, Object> key,
            Map<String, Object> before, Map<String, Object> after, Object shardKey, String shard) {
        return new ChangeEvent(keyspace, table, op, key, before, after, shardKey,
                new Source(shard, new PostgresLsn(100), null, 0), 3);
    }

    private static Map<String, Object> row(Object... pairs) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            row.put((String) pairs[i], pairs[i + 1]);
        }
        return row;
    }

    @Test
    void aWellFormedChangeOfEachKindPasses() {
        assertThat(EnvelopeCheck.problem(event("shop", "users", Op.CREATE, row("id", 7L), null,
                row("id", 7L, "username", "ada"), 7L, "s1"), SHOP)).isEmpty();
        assertThat(EnvelopeCheck.problem(event("shop", "orders", Op.DELETE, row("id", 70L),
                row("id", 70L, "user_id", 7L), null, 7L, "s2"), SHOP)).isEmpty();
        assertThat(EnvelopeCheck.problem(event("shop", "order_items", Op.UPDATE, row("id", 700L), null,
                row("id", 700L, "order_id", 70L), null, "s1"), SHOP)).isEmpty();
        assertThat(EnvelopeCheck.problem(event("shop", "order_user_view", Op.UPDATE, row("order_id", 70L), null,
                row("order_id", 70L, "username", "ada"), 7L, "s1"), SHOP)).isEmpty();
        assertThat(EnvelopeCheck.problem(event("shop", ControlTables.FENCE, Op.CREATE, row("id", "f1"), null,
                row("id", "f1", "epoch", 3L), null, "s1"), SHOP)).isEmpty();
    }

    @Test
    void numbersOfAnyTypeAndScaleAreOneShardKey() {
        assertThat(EnvelopeCheck.problem(event("shop", "orders", Op.CREATE, row("id", 70), null,
                row("id", new BigDecimal("70.0"), "user_id", 7), new BigDecimal("7.00"), "s1"), SHOP)).isEmpty();
    }

    @Test
    void aChangeNamingAnotherKeyspaceIsRefused() {
        assertThat(EnvelopeCheck.problem(event("other", "users", Op.CREATE, row("id", 990004L), null,
                row("id", 990004L), 990004L, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("keyspace 'other'")
                        .contains("wrong topic"));
    }

    @Test
    void aSourceShardNotDeclaredIsRefusedUnlessTheOtherTopologyDeclaresIt() {
        ChangeEvent fromS9 = event("shop", "users", Op.CREATE, row("id", 7L), null, row("id", 7L), 7L, "s9");
        assertThat(EnvelopeCheck.problem(fromS9, SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("source shard 's9' is not declared")
                        .contains("[s1, s2]"));
        Topology withS9 = new Topology("shop", 4, "sf.shop", SHOP.tables(),
                List.of(shard("s1"), shard("s2"), shard("s9")), SHOP.strategy(), SHOP.views());
        assertThat(EnvelopeCheck.problem(fromS9, SHOP, withS9)).isEmpty();
    }

    @Test
    void aShardKeyThatDisagreesWithTheRowIsRefused() {
        assertThat(EnvelopeCheck.problem(event("shop", "orders", Op.UPDATE, row("id", 70L), null,
                row("id", 70L, "user_id", 8L), 7L, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason)
                        .contains("shardKey is 7, but the row's user_id is 8"));
        // the chapter's silent drop: a row without its id, placed by a staying key
        assertThat(EnvelopeCheck.problem(event("shop", "users", Op.CREATE, row("id", 5L), null,
                row("id", 5L, "username", "x"), 5L, "s1"), SHOP)).isEmpty();
        assertThat(EnvelopeCheck.problem(event("shop", "users", Op.CREATE, row("id", 5L), null,
                row("id", null, "username", "x"), 5L, "s1"), SHOP)).isPresent();
        assertThat(EnvelopeCheck.problem(event("shop", "orders", Op.CREATE, row("id", 70L), null,
                row("id", 70L), 7L, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("user_id is missing"));
    }

    @Test
    void aMalformedKeyIsRefused() {
        assertThat(EnvelopeCheck.problem(event("shop", "users", Op.CREATE, row("uid", 7L), null,
                row("id", 7L), 7L, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("the primary key of users is [id]"));
        assertThat(EnvelopeCheck.problem(event("shop", "users", Op.CREATE, row("id", null), null,
                row("id", 7L), 7L, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("primary-key column id is null"));
        assertThat(EnvelopeCheck.problem(event("shop", "users", Op.CREATE, row("id", 7L), null,
                row("id", 8L), 8L, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("the key says id = 7, the row says 8"));
    }

    @Test
    void aTableOutsideTheKeyspaceIsRefused() {
        assertThat(EnvelopeCheck.problem(event("shop", "invoices", Op.CREATE, row("id", 1L), null,
                row("id", 1L), null, "s1"), SHOP))
                .hasValueSatisfying(reason -> assertThat(reason).contains("table invoices is not in keyspace shop"));
    }
}
