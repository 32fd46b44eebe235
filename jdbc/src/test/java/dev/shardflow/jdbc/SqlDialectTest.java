package dev.shardflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.topology.Engine;
import org.junit.jupiter.api.Test;

class SqlDialectTest {

    @Test
    void identifiersAreQuotedWithEmbeddedQuotesDoubled() {
        assertThat(SqlDialect.POSTGRESQL.quote("order")).isEqualTo("\"order\"");
        assertThat(SqlDialect.POSTGRESQL.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
        assertThat(SqlDialect.MYSQL.quote("order")).isEqualTo("`order`");
        assertThat(SqlDialect.MYSQL.quote("we`ird")).isEqualTo("`we``ird`");
        assertThat(SqlDialect.of(Engine.MARIADB)).isEqualTo(SqlDialect.MYSQL);
        assertThatThrownBy(() -> SqlDialect.MYSQL.quote("")).hasMessageContaining("cannot be an SQL identifier");
    }
}
