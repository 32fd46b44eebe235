package dev.shardflow.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresShardIT {

    @Test
    void startsARealServerReadyForLogicalDecodingWithDurableCommits() throws Exception {
        try (PostgresShard shard = PostgresShard.start("pg-settings")) {
            assertThat(show(shard, "wal_level")).isEqualTo("logical");
            assertThat(Integer.parseInt(show(shard, "max_replication_slots"))).isGreaterThanOrEqualTo(10);
            assertThat(Integer.parseInt(show(shard, "max_wal_senders"))).isGreaterThanOrEqualTo(10);
            assertThat(show(shard, "fsync")).isEqualTo("on");
            assertThat(show(shard, "synchronous_commit")).isEqualTo("on");
            assertThat(show(shard, "port")).isEqualTo(Integer.toString(shard.port()));
            assertThat(query(shard, "SELECT rolreplication::text FROM pg_roles WHERE rolname = current_user"))
                    .isEqualTo("true");
            assertThat(shard.toString()).doesNotContain(shard.password());
        }
    }

    @Test
    void rejectsAWrongPassword() {
        try (PostgresShard shard = PostgresShard.start("pg-auth")) {
            assertThatThrownBy(() -> ProcessShard.connect(shard.jdbcUrl(), shard.user(), "not-the-password"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void keepsCommittedRowsAcrossSigkillAndRestartThenCleansUp() throws Exception {
        Path dataDirectory;
        try (PostgresShard shard = PostgresShard.start("pg-crash")) {
            dataDirectory = shard.dataDirectory();
            SampleSchema.applyTo(shard);
            shard.execute("INSERT INTO users (id, username, email, created_at, version) "
                    + "VALUES (1, 'ada', 'ada@example.com', now(), 1)");

            shard.kill();
            assertThat(shard.isRunning()).isFalse();
            assertThatThrownBy(shard::connect).isInstanceOf(SQLException.class);

            shard.restart();
            assertThat(shard.isRunning()).isTrue();
            assertThat(query(shard, "SELECT username FROM users WHERE id = 1")).isEqualTo("ada");
            assertThat(query(shard, "SELECT count(*) FROM products")).isEqualTo("12");
        }
        assertThat(Files.exists(dataDirectory)).isFalse();
    }

    @Test
    void stopsCleanlyAndRestarts() throws Exception {
        try (PostgresShard shard = PostgresShard.start("pg-stop")) {
            shard.execute("CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (7)");
            shard.stop();
            assertThat(shard.isRunning()).isFalse();
            assertThat(shard.logTail(20)).contains("database system is shut down");
            shard.restart();
            assertThat(query(shard, "SELECT id FROM t")).isEqualTo("7");
        }
    }

    static String show(DatabaseShard shard, String setting) throws SQLException {
        return query(shard, "SHOW " + setting);
    }

    static String query(DatabaseShard shard, String sql) throws SQLException {
        try (Connection connection = shard.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as("a row from %s", sql).isTrue();
            return rows.getString(1);
        }
    }
}
