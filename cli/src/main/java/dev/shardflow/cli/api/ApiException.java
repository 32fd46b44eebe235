package dev.shardflow.cli.api;

/** An answer of the topology service that is not a success, or no answer: the message says which and why. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /** @param status the HTTP status, or 0 when the service could not be reached */
    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public boolean unreachable() {
        return status == 0;
    }
}
