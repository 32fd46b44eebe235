package dev.shardflow.topology.registry;

/** This instance may no longer change the registry: another one leads the keyspace now. */
public final class NotLeaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotLeaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
