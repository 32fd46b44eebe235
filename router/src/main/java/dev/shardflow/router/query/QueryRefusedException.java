package dev.shardflow.router.query;

import java.sql.SQLException;

/**
 * A statement that cannot be run across shards with an exact answer, or is not a query at all; the message says
 * what to change. Nothing ran on any shard.
 */
public final class QueryRefusedException extends SQLException {
    QueryRefusedException(String message) {
        super(message, "42000");
    }

    QueryRefusedException(String message, Throwable cause) {
        super(message, "42000", cause);
    }
}
