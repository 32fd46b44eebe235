package dev.shardflow.router.tx;

import java.sql.SQLException;

/** A cross-shard transaction that was rolled back on every shard: none of its work happened; it may run again. */
public final class TransactionAbortedException extends SQLException {
    TransactionAbortedException(String message, Throwable cause) {
        super(message, "40000", cause);
    }
}
