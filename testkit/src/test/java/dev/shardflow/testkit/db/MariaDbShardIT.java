package dev.shardflow.testkit.db;

import static dev.shardflow.testkit.db.PostgresShardIT.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MariaDbShardIT {

    @Test
    void startsARealServerWritingARowBasedBinlog() throws Exception {
        try (MariaDbShard shard = MariaDbShard.start("maria-settings")) {
            assertThat(variable(shard, "log_bin")).isEqualTo("ON");
            assertThat(variable(shard, "binlog_format")).isEqualTo("ROW");
            assertThat(variable(shard, "binlog_row_image")).isEqualTo("FULL");
            assertThat(variable(shard, "server_id")).isEqualTo(Integer.toString(shard.serverId()));
            assertThat(variable(shard, "port")).isEqualTo(Integer.toString(shard.port()));
            assertThat(variable(shard, "innodb_flush_log_at_trx_commit")).isEqualTo("1");
            assertThat(variable(shard, "version")).startsWith("11.4.5-MariaDB");
            assertThat(shard.toString()).doesNotContain(shard.password());
        }
    }

    @Test
    void replicationUserIsGrantedFromAnyHostAndFromLocalhost() throws Exception {
        try (MariaDbShard shard = MariaDbShard.start("maria-grants")) {
            List<String> grants = new ArrayList<>();
            for (String host : List.of("%", "localhost")) {
                try (Connection connection = shard.connect();
                        Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery(
                                "SHOW GRANTS FOR '" + shard.user() + "'@'" + host + "'")) {
                    while (rows.next()) {
                        grants.add(rows.getString(1));
                    }
                }
            }
            assertThat(grants).filteredOn(g -> g.startsWith("GRANT ALL PRIVILEGES ON *.*")).hasSize(2);
            assertThatThrownBy(() -> ProcessShard.connect(shard.jdbcUrl(), shard.user(), "not-the-password"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Access denied");
        }
    }

    @Test
    void keepsCommittedRowsAcrossSigkillAndRestartThenCleansUp() throws Exception {
        Path dataDirectory;
        try (MariaDbShard shard = MariaDbShard.start("maria-crash")) {
            dataDirectory = shard.dataDirectory();
            SampleSchema.applyTo(shard);
            shard.execute("INSERT INTO users (id, username, email, created_at, version) "
                    + "VALUES (1, 'grace', 'grace@example.com', now(), 1)");

            shard.kill();
            assertThat(shard.isRunning()).isFalse();
            assertThatThrownBy(shard::connect).isInstanceOf(SQLException.class);

            shard.restart();
            assertThat(query(shard, "SELECT username FROM users WHERE id = 1")).isEqualTo("grace");
            assertThat(query(shard, "SELECT count(*) FROM products")).isEqualTo("12");
        }
        assertThat(Files.exists(dataDirectory)).isFalse();
    }

    private static String variable(DatabaseShard shard, String name) throws SQLException {
        try (Connection connection = shard.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
            assertThat(rows.next()).as("variable %s", name).isTrue();
            return rows.getString(2);
        }
    }
}
