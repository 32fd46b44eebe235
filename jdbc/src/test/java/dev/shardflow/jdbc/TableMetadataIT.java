package dev.shardflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import java.sql.Connection;
import java.sql.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TableMetadataIT {
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().postgresShards(1).mariadbShards(1).start();
        testbed.shards().forEach(SampleSchema::applyTo);
        testbed.shards().forEach(s -> s.execute("CREATE TABLE no_key (a INT)",
                "CREATE TABLE composite (tenant INT NOT NULL, id BIGINT NOT NULL, note VARCHAR(10), "
                        + "PRIMARY KEY (tenant, id))"));
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void columnsTypesAndPrimaryKeyComeFromTheDatabaseOnBothEngines() throws Exception {
        for (DatabaseShard shard : testbed.shards()) {
            try (Connection connection = shard.connect()) {
                TableMetadata orders = TableMetadata.read(connection, "orders");
                assertThat(orders.columns()).extracting(TableMetadata.Column::name).as("%s", shard)
                        .containsExactly("id", "user_id", "order_date", "total_amount", "status", "username", "version");
                assertThat(orders.primaryKey()).containsExactly("id");
                assertThat(orders.columns().get(2).jdbcType()).isEqualTo(Types.DATE);
                assertThat(orders.columns().get(3).jdbcType()).isIn(Types.DECIMAL, Types.NUMERIC);
                assertThat(orders.columns().get(0).nullable()).isFalse();
                assertThat(orders.columns().get(5).nullable()).isTrue();

                assertThat(TableMetadata.read(connection, "composite").primaryKey()).containsExactly("tenant", "id");
                assertThatThrownBy(() -> TableMetadata.read(connection, "no_key"))
                        .hasMessageContaining("table no_key has no primary key");
                assertThatThrownBy(() -> TableMetadata.read(connection, "missing"))
                        .hasMessageContaining("table missing does not exist");
            }
        }
    }
}
