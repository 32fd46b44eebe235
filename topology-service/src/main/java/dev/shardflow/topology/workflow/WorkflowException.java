package dev.shardflow.topology.workflow;

/**
 * A request the workflow refuses, with the reason and what kind of refusal it is, so that the API can answer with
 * the matching status: a request that cannot be right ({@link Kind#INVALID}), one that conflicts with where the
 * rebalance stands ({@link Kind#CONFLICT}), one nobody can answer yet ({@link Kind#NOT_FOUND}), or one this instance
 * cannot serve because another leads ({@link Kind#NOT_LEADER}).
 */
public final class WorkflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind { INVALID, CONFLICT, NOT_FOUND, NOT_LEADER }

    private final Kind kind;

    public WorkflowException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public WorkflowException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
