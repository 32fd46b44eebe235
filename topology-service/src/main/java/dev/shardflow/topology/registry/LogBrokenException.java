package dev.shardflow.topology.registry;

/**
 * The registry's writer can no longer be used: its transactional producer failed in a way that leaves it in an error
 * state (an abort that fails too). The step's commit may or may not have landed — Kafka can report a commit that it
 * completed as failed — so the leader must not go on from what it holds in memory: it closes the log, reads it again
 * and takes the lead anew, exactly as an instance elected after it would.
 */
public final class LogBrokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LogBrokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
