package dev.shardflow.router.tx;

import java.sql.Connection;
import java.sql.SQLException;

/** What a cross-shard transaction's work sees: the connection of the branch on the owner of each key it declared. */
public interface CrossShard {
    /**
     * The connection of the branch that owns {@code shardKey}; statements on it are part of the transaction. Do not
     * commit, roll back or close it.
     *
     * @throws IllegalArgumentException the key is not one the transaction declared
     */
    Connection on(Object shardKey) throws SQLException;

    /** The transaction's id ({@code sf1-...}), or null when all its keys live on one shard (a local transaction). */
    String id();

    /** The work of a cross-shard transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(CrossShard transaction) throws SQLException;
    }
}
