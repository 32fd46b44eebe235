package dev.shardflow.writer.apply;

/** The target database could not be reached or refused the batch for a reason that passes; the batch is retried. */
public final class TargetUnavailableException extends Exception {

    public TargetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
