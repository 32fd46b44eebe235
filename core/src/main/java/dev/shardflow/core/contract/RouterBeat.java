package dev.shardflow.core.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.core.event.EventJson;
import java.time.Duration;

/**
 * What a router tells the topology service, on {@code <prefix>.routers} keyed by router id, every heartbeat and at
 * once when it holds a fence: the epoch it routes by, and the fence it acknowledges — published, and no write of
 * its own to a moving key in flight.
 *
 * @param ackedFence the fence this router holds with nothing in flight, or null
 * @param leaseMs how long after {@code atMs} the router refuses every write unless it beats again; at most
 *     {@link #MAX_LEASE}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouterBeat(String router, long epoch, String ackedFence, int inFlight, long atMs, long leaseMs) {
    /**
     * The longest lease a router may hold. The topology service stops waiting for a silent router after its router
     * timeout, which must be longer: by then the router has refused writes for a while.
     */
    public static final Duration MAX_LEASE = Duration.ofSeconds(5);

    public byte[] toBytes() {
        return EventJson.write(this, "the beat of router " + router);
    }

    public static RouterBeat fromBytes(byte[] json) {
        return EventJson.read(json, RouterBeat.class, "router beat");
    }
}
