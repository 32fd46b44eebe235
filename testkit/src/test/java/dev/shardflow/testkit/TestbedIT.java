package dev.shardflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class TestbedIT {

    @Test
    void startsOneBrokerThreePostgresAndTwoMariaDbShardsTogether() throws Exception {
        try (Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(3).mariadbShards(2).start()) {
            System.out.printf("testbed (1 Kafka broker, 3 PostgreSQL, 2 MariaDB) started in %.1f s%n",
                    testbed.startupTime().toMillis() / 1000.0);

            assertThat(testbed.shards()).extracting(DatabaseShard::id)
                    .containsExactly("pg1", "pg2", "pg3", "maria1", "maria2");
            assertThat(testbed.shards()).extracting(DatabaseShard::engine).containsExactly(
                    Engine.POSTGRESQL, Engine.POSTGRESQL, Engine.POSTGRESQL, Engine.MARIADB, Engine.MARIADB);
            assertThat(testbed.shards()).extracting(DatabaseShard::port).doesNotHaveDuplicates();
            for (DatabaseShard shard : testbed.shards()) {
                try (Connection connection = shard.connect()) {
                    assertThat(connection.isValid(5)).as("%s answers", shard).isTrue();
                }
            }
            testbed.kafka().createTopic("testbed-check", 1, 1, Map.of());
            try (Admin admin = Admin.create(testbed.kafka().clientProperties())) {
                assertThat(admin.listTopics().names().get()).contains("testbed-check");
            }
        }
    }

    @Test
    void aComponentThatCannotStartFailsTheWholeTestbedAndLeavesNothingRunning() {
        List<ProcessHandle> before = ProcessHandle.current().descendants().toList();
        System.setProperty("shardflow.testkit.mariadb.basedir", "/nonexistent/mariadb");
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> Testbed.builder().postgresShards(1).mariadbShards(1).start())
                    .hasMessageContaining("testbed did not start")
                    .hasMessageContaining("/nonexistent/mariadb");
        } finally {
            System.clearProperty("shardflow.testkit.mariadb.basedir");
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList())
                .as("no server left running")
                .hasSameSizeAs(before.stream().filter(ProcessHandle::isAlive).toList());
    }
}
