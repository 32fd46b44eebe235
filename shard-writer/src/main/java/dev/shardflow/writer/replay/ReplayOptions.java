package dev.shardflow.writer.replay;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Objects;

/**
 * What to replay and how fast.
 *
 * @param topology the topology in force: the replay keeps the rows the shard owns at its epoch
 * @param shard the shard to rebuild, which must be in the ring of {@code topology}
 * @param start where in the change topics to start
 * @param rowsPerSecond the most changes applied per second (0: no limit)
 * @param batchRows changes per batch written in one transaction
 * @param markerTimeout how long capture of the shard may take to deliver a watermark into the change topics
 * @param maxRechecks how many times the final check reads again rows that differ, after the log caught up again
 */
public record ReplayOptions(Topology topology, String shard, KafkaConnection kafka, ReplayStart start,
        long rowsPerSecond, int batchRows, Duration markerTimeout, int maxRechecks) {

    public ReplayOptions {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(start, "start");
        if (!topology.strategy().shards().contains(shard)) {
            throw new IllegalArgumentException("shard " + shard + " is not in the ring of epoch " + topology.epoch()
                    + " (" + topology.strategy().shards() + "); only a shard that owns keys can be rebuilt");
        }
        if (rowsPerSecond < 0) {
            throw new IllegalArgumentException("rowsPerSecond must not be negative (0: no limit), was " + rowsPerSecond);
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be at least 1, was " + batchRows);
        }
    }

    public static ReplayOptions defaults(Topology topology, String shard, String bootstrapServers) {
        return defaults(topology, shard, KafkaConnection.plain(bootstrapServers));
    }

    public static ReplayOptions defaults(Topology topology, String shard, KafkaConnection kafka) {
        return new ReplayOptions(topology, shard, kafka, ReplayStart.beginning(), 50_000, 2_000,
                Duration.ofSeconds(120), 3);
    }

    public ReplayOptions withStart(ReplayStart from) {
        return new ReplayOptions(topology, shard, kafka, from, rowsPerSecond, batchRows, markerTimeout,
                maxRechecks);
    }

    public ReplayOptions withRowsPerSecond(long rows) {
        return new ReplayOptions(topology, shard, kafka, start, rows, batchRows, markerTimeout, maxRechecks);
    }
}
