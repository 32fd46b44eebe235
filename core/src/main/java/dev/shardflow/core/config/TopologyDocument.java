package dev.shardflow.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The topology file as written, before validation: every field may be missing. {@link TopologyLoader} turns it
 * into a {@link dev.shardflow.core.topology.Topology} or a list of problems.
 *
 * <pre>
 * keyspace: shop              # required
 * epoch: 1                    # default 0
 * topicPrefix: sf.shop        # default sf.&lt;keyspace&gt;
 * shards:                     # id, engine (postgresql|mysql|mariadb), jdbcUrl, user, password {env|file}, weight
 * strategy:                   # type hash|range|list|composite, see StrategyEntry
 * tables:                     # name, primaryKey, and one of shardKey, parent {table, column}, reference: true
 * views:                      # name, from, join {table, on}, columns {view column: table.column}, inPlace
 * maxRowBytes: 16777216       # the largest row, as JSON, the keyspace carries; larger ones are dead-lettered
 * ddl: propagate              # schema changes during a move: propagate (default) | pause | ignore
 * </pre>
 */
record TopologyDocument(String keyspace, Long epoch, String topicPrefix, List<ShardEntry> shards,
        StrategyEntry strategy, List<TableEntry> tables, List<ViewEntry> views, Long maxRowBytes, String ddl) {

    record ShardEntry(String id, String engine, String jdbcUrl, String user, PasswordEntry password, Double weight) {}

    /** Exactly one of an environment variable name or a file path holding the password. */
    record PasswordEntry(String env, String file) {}

    /**
     * {@code hash}: {@code hash} (default|md5), {@code vnodes} (150), {@code shards} (default: all, in order).
     * {@code range}: {@code keyType} (number|date|text), {@code ranges} [{below, shard}], {@code catchAll}.
     * {@code list}: {@code values} {shard: [values]}, {@code default}.
     * {@code composite}: {@code groups} (a range strategy naming groups), {@code rings} {group: hash strategy}.
     */
    record StrategyEntry(String type, String hash, Integer vnodes, List<String> shards, String keyType,
            List<RangeEntry> ranges, String catchAll, Map<String, List<String>> values,
            @JsonProperty("default") String defaultShard, StrategyEntry groups, Map<String, StrategyEntry> rings) {}

    record RangeEntry(String below, String shard) {}

    record TableEntry(String name, List<String> primaryKey, String shardKey, ParentEntry parent, Boolean reference) {}

    record ParentEntry(String table, String column) {}

    /**
     * A view: {@code from} a table, {@code join} {table, on: column of from}, {@code columns} {view column:
     * table.column}; {@code inPlace: true} keeps columns of {@code from} itself equal to columns of the joined row.
     */
    record ViewEntry(String name, String from, JoinEntry join, Map<String, String> columns, Boolean inPlace) {}

    record JoinEntry(String table, String on) {}
}
