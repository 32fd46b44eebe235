package dev.shardflow.topology.verify;

/** A verify run that cannot go on: a shard it cannot read, or a watermark that never arrived; the message says why. */
public final class VerifyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VerifyException(String message) {
        super(message);
    }

    public VerifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
