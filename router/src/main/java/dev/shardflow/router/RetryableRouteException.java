package dev.shardflow.router;

/**
 * A write the router did not run, and that the caller may retry as it is: the key's owner is changing, the route was
 * made under an epoch in which another shard owned the key, or the router has lost touch with the registry.
 */
public class RetryableRouteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RetryableRouteException(String message) {
        super(message);
    }

    /** Writes to the key were held by a cutover fence longer than the router waits. */
    public static final class FenceTimeout extends RetryableRouteException {
        private static final long serialVersionUID = 1L;

        public FenceTimeout(String message) {
            super(message);
        }
    }

    /** The route's shard no longer owns the key. */
    public static final class StaleRoute extends RetryableRouteException {
        private static final long serialVersionUID = 1L;

        public StaleRoute(String message) {
            super(message);
        }
    }

    /** The router could not reach the registry for longer than its lease, so it cannot know the owner. */
    public static final class Unavailable extends RetryableRouteException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }
}
