package dev.shardflow.topology.verify;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verify's watermarks: marker rows written into {@link ControlTables#FENCE} on the shard that owns a chunk, which travel
 * the same ordered path as its changes. Once the writers of the other side have applied every copy of a watermark,
 * every change the owner made before writing it is in place there — so rows read on the owner before the watermark
 * can be compared with rows read on the other side after it. Watermarks do not fence anything: no router waits.
 */
final class Watermarks {
    private static final Logger log = LoggerFactory.getLogger(Watermarks.class);

    private final ShardConnections connections;
    private final ToLongFunction<String> copiesOf;
    private final long epoch;
    private final String prefix;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Long> copies = new ConcurrentHashMap<>();

    /** @param run a short id of the verify run, so its watermarks can be told apart and removed afterwards */
    Watermarks(ShardConnections connections, MarkerPaths paths, Topology in, String run) {
        this(connections, target -> paths.copiesPerSource(in, target), in.epoch(), run);
    }

    /**
     * @param copiesOf how many copies of one owner's watermark the writers of a target (by id) apply
     * @param epoch the epoch of the topology in force, which the watermarks are written under
     */
    Watermarks(ShardConnections connections, ToLongFunction<String> copiesOf, long epoch, String run) {
        this.connections = connections;
        this.copiesOf = copiesOf;
        this.epoch = epoch;
        this.prefix = idPrefix(run);
    }

    /** How the ids of run {@code run}'s watermarks begin; a sequence number follows. */
    static String idPrefix(String run) {
        return "verify-" + run + "-";
    }

    /** Writes the next watermark on {@code owner} and returns its id. */
    String write(ShardSpec owner) throws SQLException {
        String id = prefix + sequence.incrementAndGet();
        try (Connection connection = connections.open(owner)) {
            MarkerPaths.write(connection, id, epoch);
        }
        return id;
    }

    /** True once {@code other}'s writers have applied every copy of watermark {@code id} of one owner. */
    boolean applied(String id, ShardSpec other) throws SQLException {
        long expected = copies.computeIfAbsent(other.id(), copiesOf::applyAsLong);
        try (Connection connection = connections.open(other)) {
            return MarkerPaths.appliedCopies(connection, id) >= expected;
        }
    }

    /** Waits until {@code other}'s writers applied every copy of watermark {@code id} written on {@code owner}. */
    void awaitApplied(String id, ShardSpec owner, ShardSpec other, java.time.Duration timeout)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!applied(id, other)) {
            if (System.nanoTime() > deadline) {
                throw new VerifyException("watermark " + id + " written on " + owner.id() + " was not applied on "
                        + other.id() + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Forgets this run's watermarks on the shards that applied them (shardflow's bookkeeping, not data). */
    void remove(Iterable<ShardSpec> shards) {
        for (ShardSpec shard : shards) {
            try (Connection connection = connections.open(shard);
                    PreparedStatement delete = connection.prepareStatement(
                            "DELETE FROM " + ControlTables.FENCE_APPLIED + " WHERE fence_id LIKE ?")) {
                delete.setString(1, prefix + "%");
                delete.executeUpdate();
            } catch (SQLException e) {
                log.debug("verify: cannot remove watermarks {}* on {} ({})", prefix, shard.id(), e.getMessage());
            }
        }
    }
}
