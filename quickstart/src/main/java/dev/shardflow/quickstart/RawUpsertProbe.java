package dev.shardflow.quickstart;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.workload.RawUsers;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the new shard can take without shardflow in the way: {@value #ROWS} users rows upserted into a scratch copy of
 * {@code users} by the plain loop the benchmarks measure against ({@link RawUsers}). The report sets the move's rate
 * next to it; the table is dropped afterwards.
 */
final class RawUpsertProbe {
    static final int ROWS = 20_000;
    private static final String TABLE = "quickstart_raw_probe";

    private RawUpsertProbe() {}

    /** Rows/s of the plain upsert into a scratch copy of {@code users} on {@code shard}. */
    static double rowsPerSecond(DatabaseShard shard) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>(ROWS);
        for (long id = 1; id <= ROWS; id++) {
            rows.add(ShopTopology.userRow(id, 1));
        }
        shard.execute("DROP TABLE IF EXISTS " + TABLE, shard.engine() == Engine.POSTGRESQL
                ? "CREATE TABLE " + TABLE + " (LIKE users INCLUDING ALL)" : "CREATE TABLE " + TABLE + " LIKE users");
        try {
            return RawUsers.upsert(shard, TABLE, rows);
        } finally {
            shard.execute("DROP TABLE " + TABLE);
        }
    }
}
