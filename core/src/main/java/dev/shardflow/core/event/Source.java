package dev.shardflow.core.event;

import java.util.Objects;

/**
 * Where and when a change happened: the source shard, its log position, the source transaction id (if the
 * database gives one), and the commit time in epoch milliseconds.
 */
public record Source(String shard, SourcePosition position, String txId, long tsMs) {

    public Source {
        Objects.requireNonNull(shard, "source.shard");
        Objects.requireNonNull(position, "source.position");
    }
}
