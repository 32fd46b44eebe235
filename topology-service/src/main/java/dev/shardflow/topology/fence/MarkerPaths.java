package dev.shardflow.topology.fence;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.contract.MarkerFanOut;
import dev.shardflow.core.topology.Topology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * Marker rows on the shards — cutover fences and verify watermarks — written on a source and counted on a target,
 * where each of the copies {@link MarkerFanOut} says it receives is recorded once.
 */
public final class MarkerPaths {
    private final Admin admin;

    public MarkerPaths(Admin admin) {
        this.admin = admin;
    }

    /** Writes marker {@code markerId} on the connected source, under {@code epoch}; capture makes it a marker. */
    public static void write(Connection connection, String markerId, long epoch) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(ControlTables.FENCE_INSERT)) {
            insert.setString(1, markerId);
            insert.setLong(2, epoch);
            insert.executeUpdate();
        }
    }

    /** How many copies of marker {@code markerId} (of every source) the writers of the connected shard applied. */
    public static long appliedCopies(Connection connection, String markerId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                ControlTables.FENCE_APPLIED_COUNT)) {
            select.setString(1, markerId);
            try (ResultSet count = select.executeQuery()) {
                count.next();
                return count.getLong(1);
            }
        }
    }

    /**
     * One applied copy of a marker and when it passed each stage (epoch ms), as its writer recorded it; the times are
     * null where the writer recorded none.
     */
    public record CopyTimes(String source, String path, Long capturedMs, List<Long> hopsMs, Long readMs) {}

    /** Every copy of marker {@code markerId} the writers of the connected shard applied, with its stage times. */
    public static List<CopyTimes> appliedTimes(Connection connection, String markerId) throws SQLException {
        List<CopyTimes> copies = new java.util.ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(ControlTables.FENCE_APPLIED_TRAIL)) {
            select.setString(1, markerId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String hops = rows.getString(4);
                    copies.add(new CopyTimes(rows.getString(1), rows.getString(2), nullableLong(rows, 3),
                            hops == null || hops.isEmpty() ? List.of()
                                    : java.util.Arrays.stream(hops.split(",")).map(Long::valueOf).toList(),
                            nullableLong(rows, 5)));
                }
            }
        }
        return copies;
    }

    private static Long nullableLong(ResultSet rows, int column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }

    /** The copies of one source's marker that {@code target}'s writers apply while {@code in} is in force. */
    public long copiesPerSource(Topology in, String target) {
        List<String> topics = MarkerFanOut.countedTopics(in, target);
        Map<String, Integer> partitions = new LinkedHashMap<>();
        try {
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS)
                    .forEach((name, description) -> partitions.put(name, description.partitions().size()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting the partitions of " + topics, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot count the partitions of " + topics + ": " + e.getMessage(), e);
        }
        return MarkerFanOut.copiesPerSource(in, target, partitions);
    }
}
