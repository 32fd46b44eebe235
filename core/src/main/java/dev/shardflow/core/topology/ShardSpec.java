package dev.shardflow.core.topology;

import java.util.Objects;

/**
 * One shard: its id, engine, where to reach it, as whom, and its weight on a hash ring. The password is a
 * {@link SecretRef}, never the secret.
 */
public record ShardSpec(String id, Engine engine, String jdbcUrl, String user, SecretRef password, double weight) {

    public ShardSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("shard " + id + ": weight must be a positive number, was " + weight);
        }
    }
}
