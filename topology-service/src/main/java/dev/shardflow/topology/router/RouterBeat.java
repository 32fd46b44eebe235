package dev.shardflow.topology.router;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.core.event.EventJson;

/**
 * What a router tells the topology service, on {@code <prefix>.routers} keyed by router id, every heartbeat and at
 * once when it holds a fence: the epoch it routes by, and the fence it acknowledges — published, and no write of
 * its own to a moving key in flight.
 *
 * @param ackedFence the fence this router holds with nothing in flight, or null
 * @param leaseMs how long after {@code atMs} the router refuses every write unless it beats again
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouterBeat(String router, long epoch, String ackedFence, int inFlight, long atMs, long leaseMs) {

    public byte[] toBytes() {
        return EventJson.write(this, "the beat of router " + router);
    }

    public static RouterBeat fromBytes(byte[] json) {
        return EventJson.read(json, RouterBeat.class, "router beat");
    }
}
