package dev.shardflow.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        SqlScript script = SqlScript.parse("t.sql", """
                -- a comment; with a semicolon
                CREATE TABLE a (id INT); /* block; comment */
                INSERT INTO a VALUES ('x;y'), ('it''s'); INSERT INTO `b;c` VALUES ("d;e")
                """);

        assertThat(script.statements()).containsExactly(
                "CREATE TABLE a (id INT)",
                "INSERT INTO a VALUES ('x;y'), ('it''s')",
                "INSERT INTO `b;c` VALUES (\"d;e\")");
    }

    @Test
    void unterminatedQuoteIsReportedWithTheScriptName() {
        assertThatThrownBy(() -> SqlScript.parse("broken.sql", "SELECT 'oops;"))
                .hasMessageContaining("broken.sql")
                .hasMessageContaining("unterminated");
    }

    @Test
    void sampleSchemasHoldTheFourTablesForBothDialects() {
        for (String resource : new String[] {"dev/shardflow/testkit/schema/shop-postgresql.sql",
            "dev/shardflow/testkit/schema/shop-mariadb.sql"}) {
            assertThat(SqlScript.fromClasspath(resource).statements())
                    .filteredOn(sql -> sql.startsWith("CREATE TABLE"))
                    .extracting(sql -> sql.split("\\s+")[2])
                    .containsExactly("users", "orders", "order_items", "products");
        }
    }
}
