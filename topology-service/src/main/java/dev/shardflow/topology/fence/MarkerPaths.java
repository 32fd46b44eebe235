package dev.shardflow.topology.fence;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * How many copies of one marker row — a cutover fence, or a verify watermark — the writers of a shard apply: capture
 * appends the marker to every partition of every change topic (reference tables' included), the rebalancer forwards
 * each copy to every partition of the shard's apply topic, and for child tables through every partition of the topic children are re-keyed
 * through as well. A writer records each copy with the path it took, so the count says when everything written
 * before the marker on its source is in place.
 */
public final class MarkerPaths {
    private final Admin admin;

    public MarkerPaths(Admin admin) {
        this.admin = admin;
    }

    /** Writes marker {@code markerId} on the connected source, under {@code epoch}; capture makes it a marker. */
    public static void write(Connection connection, String markerId, long epoch) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(ChangeEvent.FENCE_INSERT)) {
            insert.setString(1, markerId);
            insert.setLong(2, epoch);
            insert.executeUpdate();
        }
    }

    /** How many copies of marker {@code markerId} (of every source) the writers of the connected shard applied. */
    public static long appliedCopies(Connection connection, String markerId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT COUNT(*) FROM _shardflow_fence_applied WHERE fence_id = ?")) {
            select.setString(1, markerId);
            try (ResultSet count = select.executeQuery()) {
                count.next();
                return count.getLong(1);
            }
        }
    }

    /** The copies of one source's marker that {@code target}'s writers apply while {@code in} is in force. */
    public long copiesPerSource(Topology in, String target) {
        TopicNames names = TopicNames.of(in);
        List<String> topics = new ArrayList<>();
        for (TableSpec table : in.tables()) {
            topics.add(names.cdc(table.name()));
        }
        boolean children = in.tables().stream().anyMatch(t -> t.placement() == TableSpec.Placement.PARENT);
        String childrenTopic = names.prefix() + ".rebalancer.children-by-parent";
        if (children) {
            topics.add(childrenTopic);
        }
        topics.add(names.apply(target));
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
        long paths = 0;
        for (TableSpec table : in.tables()) {
            switch (table.placement()) {
                // a reference table's topic is routed like a sharded one's, so that a joining shard's copy is in
                // place behind the marker
                case SHARD_KEY, REFERENCE -> paths += partitions.get(names.cdc(table.name()));
                case PARENT -> paths += (long) partitions.get(names.cdc(table.name())) * partitions.get(childrenTopic);
            }
        }
        return paths * partitions.get(names.apply(target));
    }
}
