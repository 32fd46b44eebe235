package dev.shardflow.writer.replay;

/** A replay that cannot go on; the message names the shard, table or topic and what to do. */
public final class ReplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReplayException(String message) {
        super(message);
    }

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
