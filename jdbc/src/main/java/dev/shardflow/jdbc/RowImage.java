package dev.shardflow.jdbc;

import java.util.List;
import java.util.Map;

/**
 * One row as {@link RowReader} reads it from a shard: its key (as canonical text, and as the values to bind it again), the
 * value that places it (its shard key, or its parent's for a child table; null if that is unknown), its data columns
 * with shardflow's own {@code _sf_} columns left out, and the hash of their canonical encoding.
 */
public record RowImage(String key, List<Object> keyValues, Object placementKey, Map<String, Object> values, long hash) {}
