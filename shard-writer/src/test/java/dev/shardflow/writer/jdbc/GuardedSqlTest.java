package dev.shardflow.writer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.jdbc.SqlDialect;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuardedSqlTest {
    private final GuardedSql postgres = new GuardedSql(SqlDialect.POSTGRESQL, "users", List.of("id", "name"), List.of("id"));
    private final GuardedSql mariadb = new GuardedSql(SqlDialect.MYSQL, "users", List.of("id", "name"), List.of("id"));

    @Test
    void postgresUpsertUpdatesOnlyRowsWithoutOrWithAnOlderVersion() {
        assertThat(postgres.upsert(2)).isEqualTo("INSERT INTO \"users\" (\"id\", \"name\", \"_sf_version\") VALUES "
                + "(?, ?, ?), (?, ?, ?) ON CONFLICT (\"id\") DO UPDATE SET \"name\" = EXCLUDED.\"name\", \"_sf_version\" "
                + "= EXCLUDED.\"_sf_version\" WHERE \"users\".\"_sf_version\" IS NULL OR \"users\".\"_sf_version\" < "
                + "EXCLUDED.\"_sf_version\"");
    }

    @Test
    void mariadbUpsertAssignsTheVersionLastSoEveryConditionSeesTheOldOne() {
        String sql = mariadb.upsert(1);
        assertThat(sql).startsWith("INSERT INTO `users` (`id`, `name`, `_sf_version`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE "
                + "`name` = IF((`_sf_version` IS NULL OR `_sf_version` < VALUES(`_sf_version`)), VALUES(`name`), `name`)");
        assertThat(sql).endsWith(", `_sf_version` = IF((`_sf_version` IS NULL OR `_sf_version` < VALUES(`_sf_version`)), "
                + "VALUES(`_sf_version`), `_sf_version`)");
        assertThat(sql).doesNotContain("`id` = IF");
    }

    @Test
    void forAReplayARowWithoutVersionIsNewerThanAnyChange() {
        GuardedSql replay = new GuardedSql(SqlDialect.POSTGRESQL, GuardedSql.Unversioned.NEWER, "users",
                List.of("id", "name"), List.of("id"));
        assertThat(replay.upsert(1)).endsWith("WHERE \"users\".\"_sf_version\" IS NOT NULL AND \"users\".\"_sf_version\" "
                + "< EXCLUDED.\"_sf_version\"");
        assertThat(replay.delete()).endsWith("AND (\"_sf_version\" IS NOT NULL AND \"_sf_version\" < ?)");
        assertThat(new GuardedSql(SqlDialect.MYSQL, GuardedSql.Unversioned.NEWER, "users", List.of("id", "name"),
                List.of("id")).upsert(1)).contains("IF((`_sf_version` IS NOT NULL AND `_sf_version` < VALUES(");
        assertThat(replay.stampUnversioned()).isEqualTo("UPDATE \"users\" SET \"_sf_version\" = ? WHERE "
                + "\"_sf_version\" IS NULL");
    }

    @Test
    void deleteRemovesARowOnlyIfItIsOlderThanTheDelete() {
        assertThat(postgres.delete()).isEqualTo("DELETE FROM \"users\" WHERE \"id\" = ? AND (\"_sf_version\" IS NULL "
                + "OR \"_sf_version\" < ?)");
    }

    @Test
    void tombstonesKeepTheNewestDeleteVersion() {
        assertThat(postgres.rememberDeletes(1)).endsWith("ON CONFLICT (tbl, row_key) DO UPDATE SET version = "
                + "EXCLUDED.version WHERE _shardflow_tombstone.version < EXCLUDED.version");
        assertThat(mariadb.rememberDeletes(2)).contains("VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE "
                + "version = IF(version < VALUES(version), VALUES(version), version)");
    }

    @Test
    void aTableOfOnlyKeyColumnsStillUpdatesItsVersion() {
        GuardedSql keysOnly = new GuardedSql(SqlDialect.POSTGRESQL, "tags", List.of("a", "b"), List.of("a", "b"));
        assertThat(keysOnly.upsert(1)).contains("ON CONFLICT (\"a\", \"b\") DO UPDATE SET \"_sf_version\" = "
                + "EXCLUDED.\"_sf_version\" WHERE");
    }

    @Test
    void aPatchSetsItsColumnsWhenTheirPatchVersionIsNoNewerAndAValueDiffers() {
        GuardedSql orders = new GuardedSql(SqlDialect.POSTGRESQL, "orders", List.of("id", "username"), List.of("id"));
        assertThat(orders.patch(List.of("username"))).isEqualTo("UPDATE \"orders\" SET \"username\" = ?, "
                + "\"_sf_version_username\" = ? WHERE \"id\" = ? AND (\"_sf_version_username\" IS NULL OR "
                + "\"_sf_version_username\" <= ?) AND (\"username\" IS DISTINCT FROM ?)");
        GuardedSql maria = new GuardedSql(SqlDialect.MYSQL, "orders", List.of("id", "a", "b"), List.of("id"));
        assertThat(maria.patch(List.of("a", "b"))).endsWith("AND (`_sf_version_a` IS NULL OR `_sf_version_a` <= ?) "
                + "AND (`_sf_version_b` IS NULL OR `_sf_version_b` <= ?) AND (NOT (`a` <=> ?) OR NOT (`b` <=> ?))");
    }
}
