package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.rebalancer.route.Routing;
import java.util.Arrays;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing of a keyspace as the global topology store holds it, read again only when the stored state changed.
 * A state that cannot be read keeps the last good one in force, loudly; before any state, the fallback topology.
 */
final class RoutingCache {
    private static final Logger log = LoggerFactory.getLogger(RoutingCache.class);

    private static final java.util.concurrent.atomic.AtomicReference<String> LAST_LOGGED =
            new java.util.concurrent.atomic.AtomicReference<>();

    private final ReadOnlyKeyValueStore<String, byte[]> states;
    private byte[] stateBytes;
    private Routing routing;

    RoutingCache(ReadOnlyKeyValueStore<String, byte[]> states, Topology fallback) {
        this.states = states;
        this.routing = Routing.steady(fallback);
    }

    Routing routing(String keyspace) {
        byte[] latest = states.get(keyspace);
        // the store hands back the array it holds, so an unchanged state is usually the very array seen last
        if (latest == null || latest == stateBytes) {
            return routing;
        }
        boolean changed = stateBytes == null || !Arrays.equals(latest, stateBytes);
        stateBytes = latest;
        if (changed) {
            try {
                TopologyState state = TopologyState.fromBytes(latest);
                routing = Routing.of(state);
                String summary = keyspace + " by epoch " + routing.current().epoch() + " (" + routing.phase()
                        + (routing.moving() ? ", other epoch " + routing.other().epoch() : "")
                        + (state.fence() != null ? ", fence " + state.fence() : "") + ")";
                // every task of every application reads the same state: say it once per process
                if (!summary.equals(LAST_LOGGED.getAndSet(summary))) {
                    log.info("routing {}", summary);
                }
            } catch (RuntimeException e) {
                log.error("the topology state of {} cannot be read ({}); routing stays on epoch {}", keyspace,
                        e.getMessage(), routing.current().epoch());
            }
        }
        return routing;
    }
}
