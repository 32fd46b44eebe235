package dev.shardflow.router.query;

import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A scatter-gather query that some shards failed or did not answer in time; names each with its reason. */
public final class ShardQueryException extends SQLException {
    private final Map<String, String> failures;

    ShardQueryException(Map<String, String> failures, Throwable first) {
        super("the query failed on " + failures.entrySet().stream().map(f -> "shard " + f.getKey() + " (" + f.getValue()
                + ")").collect(Collectors.joining(", ")) + "; no partial answer was asked for", first);
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /** Each failed shard and why. */
    public Map<String, String> failures() {
        return failures;
    }
}
