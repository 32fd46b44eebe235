package dev.shardflow.router.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.router.query.QueryShape.Aggregate;
import dev.shardflow.router.query.QueryShape.Mode;
import dev.shardflow.testkit.ShopTopology;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeReaderTest {
    private static final Topology SHOP = TopologyLoader.parse(ShopTopology.routingDocument(1,
            List.of("pg1", "pg2", "maria1")), "shop", Map.of());

    private static QueryShape read(String sql, Object... params) throws QueryRefusedException {
        return ShapeReader.read(sql, Arrays.asList(params), SHOP);
    }

    @Test
    void globalCountIsMergedFromEveryShardsCount() throws Exception {
        QueryShape shape = read("SELECT COUNT(*) AS user_count FROM users");
        assertThat(shape.mode()).isEqualTo(Mode.MERGED_GROUPS);
        assertThat(shape.aggregates()).containsExactly(new Aggregate(Aggregate.Kind.COUNT, "*", false));
        assertThat(ShardSql.of(shape, Engine.POSTGRESQL, false, null, null))
                .isEqualTo("SELECT COUNT(*) AS sf_a0 FROM users");
        assertThat(ShardSql.of(shape, Engine.POSTGRESQL, true, null, null))
                .as("during a rebalance each shard groups by the key, so the merge keeps only its owner's")
                .isEqualTo("SELECT COUNT(*) AS sf_a0, users.id AS sf_key FROM users GROUP BY users.id");
    }

    @Test
    void groupsOnTheShardKeyAreFinalOnEachShardSoOrderAndLimitRunThere() throws Exception {
        QueryShape shape = read("SELECT user_id, COUNT(*) AS order_count, SUM(total_amount) AS total_spent "
                + "FROM orders GROUP BY user_id ORDER BY order_count DESC LIMIT ?", 10);
        assertThat(shape.mode()).isEqualTo(Mode.LOCAL_GROUPS);
        assertThat(shape.limit()).isEqualTo(10);
        assertThat(shape.bound()).isZero();
        assertThat(shape.ownerKey()).isEqualTo("user_id");
        assertThat(ShardSql.of(shape, Engine.POSTGRESQL, false, 10L, new boolean[] {false})).isEqualTo(
                "SELECT user_id, COUNT(*) AS order_count, SUM(total_amount) AS total_spent, COUNT(*) AS sf_o0 "
                + "FROM orders GROUP BY user_id ORDER BY (COUNT(*)) DESC NULLS FIRST LIMIT 10");
    }

    @Test
    void groupsThatSpanShardsAreMergedWholeBeforeOrderAndLimit() throws Exception {
        QueryShape shape = read("SELECT country, COUNT(*) AS n, AVG(total_amount) AS average FROM orders o "
                + "JOIN users u ON u.id = o.user_id GROUP BY country ORDER BY n DESC, country LIMIT 3");
        assertThat(shape.mode()).isEqualTo(Mode.MERGED_GROUPS);
        assertThat(shape.limitPushedDown()).isFalse();
        assertThat(shape.ownerKey()).isEqualTo("o.user_id");
        String sql = ShardSql.of(shape, Engine.MARIADB, false, null, null);
        assertThat(sql).isEqualTo("SELECT country AS sf_g0, COUNT(*) AS sf_a0, SUM(total_amount) AS sf_a1s, "
                + "COUNT(total_amount) AS sf_a1c FROM orders o JOIN users u ON u.id = o.user_id GROUP BY country");
        assertThat(shape.order()).extracting(QueryShape.OrderItem::value).containsExactly(1, 0);
        assertThat(shape.explain()).contains("AVG as its SUM and COUNT");
    }

    @Test
    void aSearchWithAGlobalOrderAsksEachShardForItsFirstRowsInCodePointOrder() throws Exception {
        QueryShape shape = read("SELECT id, email FROM users WHERE email LIKE ? ORDER BY email LIMIT 5 OFFSET 2",
                "%example.org");
        assertThat(shape.mode()).isEqualTo(Mode.ROWS);
        assertThat(shape.bound()).isEqualTo(1);
        assertThat(shape.offset()).isEqualTo(2);
        assertThat(ShardSql.of(shape, Engine.POSTGRESQL, true, 7L, new boolean[] {true})).isEqualTo(
                "SELECT id, email, email AS sf_o0, users.id AS sf_key FROM users WHERE email LIKE ? "
                + "ORDER BY (email) COLLATE \"C\" ASC NULLS LAST LIMIT 7");
        assertThat(ShardSql.of(shape, Engine.MARIADB, false, 7L, new boolean[] {true})).isEqualTo(
                "SELECT id, email, email AS sf_o0 FROM users WHERE email LIKE ? "
                + "ORDER BY (email) IS NULL ASC, CAST((email) AS BINARY) ASC LIMIT 7");
    }

    @Test
    void mysqlStyleLimitAndParametersAreRead() throws Exception {
        QueryShape shape = read("SELECT * FROM users WHERE country = ? LIMIT ?, ?", "DE", 4, 6);
        assertThat(shape.mode()).isEqualTo(Mode.ROWS);
        assertThat(shape.offset()).isEqualTo(4);
        assertThat(shape.limit()).isEqualTo(6);
        assertThat(shape.bound()).isEqualTo(1);
    }

    @Test
    void referenceTablesAreReadFromOneShard() throws Exception {
        assertThat(read("SELECT category, COUNT(*) FROM products GROUP BY category").mode())
                .isEqualTo(Mode.ONE_SHARD);
    }

    @Test
    void aChildTableAloneHasNoOwnerKeyAndSaysWhichTableToJoin() throws Exception {
        QueryShape alone = read("SELECT COUNT(*) FROM order_items");
        assertThat(alone.ownerKey()).isNull();
        assertThat(alone.noOwnerKey()).contains("order_items").contains("join");
        assertThat(read("SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id").ownerKey())
                .isEqualTo("o.user_id");
    }

    @Test
    void countDistinctShardKeyIsASumOfCounts() throws Exception {
        QueryShape shape = read("SELECT country, COUNT(DISTINCT user_id) FROM orders GROUP BY country");
        assertThat(shape.aggregates()).containsExactly(new Aggregate(Aggregate.Kind.COUNT, "user_id", true));
    }

    @Test
    void statementsWhoseMergeWouldNotBeExactAreRefusedWithWhatToChange() {
        assertRefused("SELECT country, COUNT(*) FROM users GROUP BY country HAVING COUNT(*) > 5",
                "HAVING on groups that span shards");
        assertRefused("SELECT SUM(total_amount) / COUNT(*) FROM orders", "combines aggregates");
        assertRefused("SELECT COUNT(DISTINCT email) FROM users", "COUNT(DISTINCT <shard key>)");
        assertRefused("SELECT country, username FROM users GROUP BY country", "username is neither grouped");
        assertRefused("SELECT * FROM users WHERE id IN (SELECT user_id FROM orders)", "subquery");
        assertRefused("SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM users", "window function");
        assertRefused("SELECT id FROM users UNION SELECT id FROM orders", "UNION");
        assertRefused("UPDATE users SET country = 'DE'", "only a SELECT");
        assertRefused("SELECT * FROM invoices", "not a table of keyspace shop");
        assertRefused("SELECT * FROM users WHERE id = ?", "1 parameter(s) and 0 were given");
        assertRefused("SELEC nothing", "cannot be read as SQL");
    }

    private static void assertRefused(String sql, String because) {
        assertThatThrownBy(() -> read(sql)).as(sql).isInstanceOf(QueryRefusedException.class)
                .hasMessageContaining(because);
    }
}
