package dev.shardflow.cli.crossshard;

import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.TopicCatchUp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The placement of the last state on the keyspace's topology topic, read again on each call; the same object while
 * the state is unchanged, so that a query that saw another state while it ran runs again.
 */
public final class OwnershipReader implements Supplier<Placement> {
    private final KafkaConnection kafka;
    private final Topology file;
    private byte[] lastBytes;
    private Placement last;

    public OwnershipReader(KafkaConnection kafka, Topology file) {
        this.kafka = kafka;
        this.file = file;
    }

    @Override
    public synchronized Placement get() {
        byte[][] found = {null};
        byte[] key = file.keyspace().getBytes(StandardCharsets.UTF_8);
        TopicCatchUp.readAll(kafka, List.of(TopicNames.of(file).topology()), record -> {
            if (Arrays.equals(record.key(), key)) {
                found[0] = record.value();
            }
        });
        if (found[0] == null) {
            throw new IllegalStateException("no state of keyspace " + file.keyspace() + " on topic "
                    + TopicNames.of(file).topology() + ": is the topology service running for it? (--offline "
                    + "takes the shards and their ownership from the file, when no rebalance runs)");
        }
        if (last == null || !Arrays.equals(found[0], lastBytes)) {
            lastBytes = found[0];
            last = TopologyState.fromBytes(found[0]).placement();
        }
        return last;
    }
}
