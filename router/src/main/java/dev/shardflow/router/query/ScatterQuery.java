package dev.shardflow.router.query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A SELECT to run on every shard of a keyspace, with its parameters ({@code ?}, bound in order), how long each shard
 * may take, and whether an answer without some shards is acceptable (it then names them).
 *
 * @param timeout how long each shard may take; a shard slower than this is cancelled and counts as failed
 * @param partial accept an answer without the shards that failed; without it any failure fails the query
 */
public record ScatterQuery(String sql, List<Object> params, Duration timeout, boolean partial) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public ScatterQuery {
        Objects.requireNonNull(sql, "sql");
        params = Collections.unmodifiableList(new ArrayList<>(params)); // a parameter may be null
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a query's timeout must be positive, not " + timeout);
        }
    }

    /** The statement with its parameters, every shard required, each within {@link #DEFAULT_TIMEOUT}. */
    public static ScatterQuery of(String sql, Object... params) {
        return new ScatterQuery(sql, Arrays.asList(params), DEFAULT_TIMEOUT, false);
    }

    public ScatterQuery withTimeout(Duration perShard) {
        return new ScatterQuery(sql, params, perShard, partial);
    }

    /** The same query, answered without the shards that fail or time out (the result names them). */
    public ScatterQuery allowingPartial() {
        return new ScatterQuery(sql, params, timeout, true);
    }
}
