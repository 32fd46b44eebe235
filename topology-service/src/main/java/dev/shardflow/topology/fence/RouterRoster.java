package dev.shardflow.topology.fence;

import dev.shardflow.core.contract.RouterBeat;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.TopicCatchUp;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The routers that count for a fence: those whose last beat on {@code <prefix>.routers} is younger than the router
 * timeout. A router that left said so (its beat is deleted); one that died stops counting after the timeout, by which
 * time its own lease has made it refuse every write. The roster tails the topic, so each look costs one fetch.
 * Not thread-safe: the workflow thread uses it.
 */
public final class RouterRoster implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<String, RouterBeat> last = new HashMap<>();

    public RouterRoster(KafkaConnection kafka, TopicNames topics) {
        this.consumer = new KafkaConsumer<>(TopicCatchUp.reader(kafka));
        this.partitions = TopicCatchUp.partitions(consumer, List.of(topics.routers()));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The last beat of every router that is live at {@code nowMs}, read up to the topic's end now. */
    public Map<String, RouterBeat> live(long nowMs, long routerTimeoutMs) {
        TopicCatchUp.readToEnd(consumer, partitions, record -> {
            String router = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) {
                last.remove(router);
            } else {
                last.put(router, RouterBeat.fromBytes(record.value()));
            }
        });
        Map<String, RouterBeat> live = new HashMap<>(last);
        live.values().removeIf(beat -> nowMs - beat.atMs() > routerTimeoutMs);
        return live;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
