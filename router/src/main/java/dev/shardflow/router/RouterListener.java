package dev.shardflow.router;

/**
 * What a router tells the application that embeds it, from its background threads. Both calls run on those threads
 * and must return quickly; an exception thrown from them is logged and otherwise ignored.
 */
public interface RouterListener {

    /** The router now routes by {@code epoch}; {@code fence} names a cutover fence holding moving keys, or is null. */
    default void epochChanged(long epoch, String fence) {}

    /**
     * The router stopped following the topology for good: from now on every write is refused with
     * {@link RetryableRouteException.Unavailable}. The embedder should close this router and start a new one (and
     * report itself unhealthy meanwhile).
     */
    default void failed(Throwable cause) {}

    /** A listener that does nothing. */
    RouterListener NONE = new RouterListener() {};
}
