package dev.shardflow.capture.debezium;

import dev.shardflow.capture.SourceConnection;
import dev.shardflow.core.topology.ShardSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a PostgreSQL shard's existing capture publication publish changes of partitioned tables under the partition
 * root's name. Debezium creates a missing publication that way ({@code publish.via.partition.root}), but only sets
 * the table list of one that exists — and a publication made before, by hand or by an older capture, names each
 * partition instead: the table filter on the root then drops every live change of a partitioned table, silently.
 */
public final class PublicationRoot {
    private static final Logger log = LoggerFactory.getLogger(PublicationRoot.class);

    private PublicationRoot() {}

    /** Sets {@code publish_via_partition_root} on the publication if it exists without it; otherwise does nothing. */
    public static void ensure(ShardSpec shard, String password, String publication) {
        try (Connection connection = SourceConnection.open(shard, password);
                PreparedStatement query = connection.prepareStatement(
                        "SELECT pubviaroot FROM pg_publication WHERE pubname = ?")) {
            query.setString(1, publication);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next() || row.getBoolean(1)) {
                    return;
                }
            }
            try (Statement alter = connection.createStatement()) {
                alter.execute("ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = true)");
            }
            log.info("shard {}: publication {} now publishes partitioned tables under their root's name "
                    + "(publish_via_partition_root = true)", shard.id(), publication);
        } catch (SQLException e) {
            throw new IllegalStateException("shard " + shard.id() + ": cannot set publish_via_partition_root on "
                    + "publication " + publication + " (" + e.getMessage() + "); run: ALTER PUBLICATION " + publication
                    + " SET (publish_via_partition_root = true)", e);
        }
    }
}
