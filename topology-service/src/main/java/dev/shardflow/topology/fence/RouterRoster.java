package dev.shardflow.topology.fence;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.topology.registry.TopicReader;
import dev.shardflow.topology.router.RouterBeat;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The routers that count for a fence: those whose last beat on {@code <prefix>.routers} is younger than the router
 * timeout. A router that left said so (its beat is deleted); one that died stops counting after the timeout, by which
 * time its own lease has made it refuse every write.
 */
public final class RouterRoster {
    private final String bootstrapServers;
    private final TopicNames topics;

    public RouterRoster(String bootstrapServers, TopicNames topics) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
    }

    /** The last beat of every router that is live at {@code nowMs}. */
    public Map<String, RouterBeat> live(long nowMs, long routerTimeoutMs) {
        Map<String, RouterBeat> last = new HashMap<>();
        TopicReader.readAll(bootstrapServers, List.of(topics.routers()), record -> {
            String router = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) {
                last.remove(router);
            } else {
                last.put(router, RouterBeat.fromBytes(record.value()));
            }
        });
        last.values().removeIf(beat -> nowMs - beat.atMs() > routerTimeoutMs);
        return last;
    }
}
