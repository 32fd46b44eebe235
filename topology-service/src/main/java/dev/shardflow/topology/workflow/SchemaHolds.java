package dev.shardflow.topology.workflow;

import static dev.shardflow.core.contract.ControlTables.SCHEMA_STATE;

import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema changes writers hold a move behind, as the targets record them ({@code _shardflow_schema_state}): a
 * change of a managed table on a source that is not additive (or any, with {@code ddl: pause}) holds the rows behind
 * it until an operator has made it on the targets and resumes the move, which marks every held change resumed; the
 * writers pass it the next time they look, within seconds.
 */
public final class SchemaHolds {
    private static final Logger log = LoggerFactory.getLogger(SchemaHolds.class);
    /** No such table (PostgreSQL, MariaDB/MySQL): no writer has prepared that shard, so nothing is held there. */
    private static final Set<String> NO_TABLE = Set.of("42P01", "42S02");

    private final ShardConnections connections;

    public SchemaHolds(ShardConnections connections) {
        this.connections = connections;
    }

    /** One held change: the target that holds it, the source and table it came from, why, and since when. */
    public record Hold(String shard, String source, String table, String reason, String since) {
        public String describe() {
            return shard + " holds " + source + "." + table + " since " + since + ": " + reason;
        }
    }

    /** The shards of both sides of {@code rebalance}, each once. */
    public static List<ShardSpec> shardsOf(Rebalance rebalance) {
        java.util.Map<String, ShardSpec> shards = new java.util.LinkedHashMap<>();
        rebalance.fromTopology().shards().forEach(s -> shards.put(s.id(), s));
        rebalance.toTopology().shards().forEach(s -> shards.putIfAbsent(s.id(), s));
        return List.copyOf(shards.values());
    }

    /**
     * The changes held on {@code shards}. A shard that cannot be read is named in the log and left out: its writer
     * cannot apply anything meanwhile either.
     */
    public List<Hold> held(Collection<ShardSpec> shards) {
        List<Hold> holds = new ArrayList<>();
        for (ShardSpec shard : shards) {
            try (Connection connection = connections.open(shard); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT source_shard, tbl, held_reason, held_since FROM "
                            + SCHEMA_STATE + " WHERE held_digest IS NOT NULL AND (resumed_digest IS NULL OR "
                            + "resumed_digest <> held_digest) ORDER BY held_since")) {
                while (rows.next()) {
                    holds.add(new Hold(shard.id(), rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4)));
                }
                endQuietly(connection);
            } catch (SQLException e) {
                if (!NO_TABLE.contains(e.getSQLState())) {
                    log.warn("shard {}: cannot read its held schema changes: {}", shard.id(), e.getMessage());
                }
            }
        }
        return holds;
    }

    /**
     * Marks every change held on {@code shards} resumed; returns how many.
     *
     * @throws WorkflowException when a shard that holds one cannot be reached: resume again once it can
     */
    public int resume(Collection<ShardSpec> shards) {
        int resumed = 0;
        for (ShardSpec shard : shards) {
            try (Connection connection = connections.open(shard); Statement statement = connection.createStatement()) {
                int rows = statement.executeUpdate("UPDATE " + SCHEMA_STATE + " SET resumed_digest = held_digest WHERE "
                        + "held_digest IS NOT NULL AND (resumed_digest IS NULL OR resumed_digest <> held_digest)");
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
                if (rows > 0) {
                    log.info("shard {}: {} held schema change(s) resumed by the operator", shard.id(), rows);
                }
                resumed += rows;
            } catch (SQLException e) {
                if (!NO_TABLE.contains(e.getSQLState())) {
                    throw new WorkflowException(WorkflowException.Kind.CONFLICT, "shard " + shard.id()
                            + ": cannot resume its held schema changes (" + e.getMessage() + "); resume again once "
                            + "it answers", e);
                }
            }
        }
        return resumed;
    }

    private static void endQuietly(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            // a read only; the pool replaces a broken connection
        }
    }
}
