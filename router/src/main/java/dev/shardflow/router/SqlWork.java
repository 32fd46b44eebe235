package dev.shardflow.router;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of work on one shard's connection, run inside a transaction the router commits. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
