package dev.shardflow.router.tx;

import java.sql.SQLException;

/**
 * A cross-shard transaction whose decision could not be confirmed (its deciding shard failed while committing): it
 * either committed or rolled back everywhere, never half. Recovery finishes its prepared branches by the decision
 * log; the caller must not blindly run it again, but look whether it took effect.
 */
public final class TransactionInDoubtException extends SQLException {
    private final String transactionId;

    TransactionInDoubtException(String transactionId, String message, Throwable cause) {
        super(message, "40003", cause);
        this.transactionId = transactionId;
    }

    public String transactionId() {
        return transactionId;
    }
}
