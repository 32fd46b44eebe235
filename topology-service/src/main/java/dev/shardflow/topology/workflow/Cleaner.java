package dev.shardflow.topology.workflow;

import dev.shardflow.jdbc.Throttle;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes from a shard the rows a topology does not place there — the old owners' copies after complete, the
 * targets' copies after cancel or rollback — in throttled batches, children before their parents, walking each
 * table by primary key. Idempotent: run again after a crash, it finds only what is left. Capture sees these deletes
 * as changes of a shard that does not own the keys, which the rebalancer never forwards.
 */
public final class Cleaner {
    private static final Logger log = LoggerFactory.getLogger(Cleaner.class);

    /** Keys per {@code DELETE ... IN (...)}: large enough to be cheap, small enough for any driver's parameters. */
    private static final int KEYS_PER_STATEMENT = 500;

    private final ShardConnections connections;
    private final int batchRows;
    private final Throttle throttle;

    public Cleaner(ShardConnections connections, int batchRows, long rowsPerSecond) {
        this.connections = connections;
        this.batchRows = batchRows;
        this.throttle = new Throttle(rowsPerSecond);
    }

    /**
     * @param stop asked between batches; true stops early (the rest is deleted when cleaning resumes)
     * @return the rows deleted, children included
     */
    public long clean(ShardSpec shard, Topology owner, BooleanSupplier stop) throws SQLException, InterruptedException {
        long deleted = 0;
        long started = System.nanoTime();
        // one connection walks every table: a batch's page and its deletes share a transaction and a round trip less
        try (Connection connection = connections.open(shard)) {
            connection.setAutoCommit(false);
            try {
                for (TableSpec table : owner.tables()) {
                    if (table.placement() != TableSpec.Placement.SHARD_KEY) {
                        continue;
                    }
                    List<TableSpec> children = owner.tables().stream().filter(t -> t.placement()
                            == TableSpec.Placement.PARENT && t.parentTable().equals(table.name())).toList();
                    List<Object> after = null;
                    while (!stop.getAsBoolean()) {
                        Batch batch = nextBatch(connection, shard, table, owner, after);
                        if (!batch.notOwned().isEmpty()) {
                            deleted += delete(connection, table, children, batch.notOwned());
                        }
                        connection.commit();
                        if (batch.scanned() < batchRows) {
                            break;
                        }
                        after = batch.last();
                        Thread.sleep(throttle.waitMillis(deleted, System.nanoTime() - started));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException notRolledBack) {
                    e.addSuppressed(notRolledBack); // the connection is gone: so is its transaction
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
        if (deleted > 0) {
            log.info("cleanup of {}: {} rows deleted that epoch {} places elsewhere", shard.id(), deleted,
                    owner.epoch());
        }
        return deleted;
    }

    private record Batch(int scanned, List<Object> last, List<List<Object>> notOwned) {}

    /** The next page of keys in primary-key order, and those of them that {@code owner} places elsewhere. */
    private Batch nextBatch(Connection connection, ShardSpec shard, TableSpec table, Topology owner,
            List<Object> after) throws SQLException {
        List<String> key = table.primaryKey();
        String columns = String.join(", ", key) + (key.contains(table.shardKeyColumn()) ? ""
                : ", " + table.shardKeyColumn());
        String where = after == null ? "" : " WHERE (" + String.join(", ", key) + ") > ("
                + String.join(", ", Collections.nCopies(key.size(), "?")) + ")";
        String sql = "SELECT " + columns + " FROM " + table.name() + where + " ORDER BY " + String.join(", ", key)
                + " LIMIT " + batchRows;
        List<List<Object>> notOwned = new ArrayList<>();
        List<Object> last = null;
        int scanned = 0;
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            if (after != null) {
                for (int i = 0; i < after.size(); i++) {
                    select.setObject(i + 1, after.get(i));
                }
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    scanned++;
                    List<Object> pk = new ArrayList<>();
                    for (String column : key) {
                        pk.add(rows.getObject(column));
                    }
                    last = pk;
                    Object shardKey = rows.getObject(table.shardKeyColumn());
                    if (shardKey != null && !owner.strategy().ownerOf(shardKey).equals(shard.id())) {
                        notOwned.add(pk);
                    }
                }
            }
        }
        return new Batch(scanned, last, notOwned);
    }

    /**
     * Deletes the keys, children first, in statements of at most {@value #KEYS_PER_STATEMENT} keys, in the batch's
     * transaction: a batch is gone or still there, never half.
     */
    private static long delete(Connection connection, TableSpec table, List<TableSpec> children,
            List<List<Object>> keys) throws SQLException {
        long deleted = 0;
        for (int from = 0; from < keys.size(); from += KEYS_PER_STATEMENT) {
            List<List<Object>> some = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_STATEMENT));
            if (table.primaryKey().size() == 1) {
                for (TableSpec child : children) {
                    deleted += deleteWhereIn(connection, child.name(), List.of(child.parentColumn()), some);
                }
            }
            deleted += deleteWhereIn(connection, table.name(), table.primaryKey(), some);
        }
        return deleted;
    }

    private static int deleteWhereIn(Connection connection, String table, List<String> columns, List<List<Object>> keys)
            throws SQLException {
        String tuple = columns.size() == 1 ? "?" : "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        String target = columns.size() == 1 ? columns.get(0) : "(" + String.join(", ", columns) + ")";
        String sql = "DELETE FROM " + table + " WHERE " + target + " IN ("
                + keys.stream().map(k -> tuple).collect(Collectors.joining(", ")) + ")";
        try (PreparedStatement delete = connection.prepareStatement(sql)) {
            int p = 1;
            for (List<Object> key : keys) {
                for (Object value : key) {
                    delete.setObject(p++, value);
                }
            }
            return delete.executeUpdate();
        }
    }
}
