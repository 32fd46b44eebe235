package dev.shardflow.capture.preflight;

import dev.shardflow.capture.SourceConnection;
import dev.shardflow.core.schema.IndexDefinition;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.CatalogIndexes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary indexes of a source shard's managed tables, read from its catalog at most every {@code refreshMs}.
 * No engine logs an index in its log of rows (PostgreSQL logs no DDL at all), so capture asks: when a table's indexes
 * differ from the last read, its definition is sent again with them, and the writers make them on the targets. A
 * source that cannot be read keeps the last answer; capture of its rows is not held up for it.
 */
public final class IndexWatch {
    private static final Logger log = LoggerFactory.getLogger(IndexWatch.class);

    private final ShardSpec shard;
    private final String password;
    private final List<String> tables;
    private final long refreshMs;
    private final LongSupplier clock;
    private final Map<String, List<IndexDefinition>> last = new HashMap<>();
    private long readAtMs = Long.MIN_VALUE;
    private boolean failing;

    public IndexWatch(ShardSpec shard, String password, List<String> tables, long refreshMs, LongSupplier clock) {
        this.shard = shard;
        this.password = password;
        this.tables = List.copyOf(tables);
        this.refreshMs = refreshMs;
        this.clock = clock;
    }

    /** The table's indexes as last read (read now if never read); null if the source could never be read. */
    public synchronized List<IndexDefinition> current(String table) {
        if (last.isEmpty()) {
            read();
        }
        return last.get(table);
    }

    /**
     * The tables whose indexes changed since the last read, with their indexes now, when a read is due; empty when
     * none is due, none changed, or the source cannot be read.
     */
    public synchronized Map<String, List<IndexDefinition>> changed() {
        if (clock.getAsLong() - readAtMs < refreshMs) {
            return Map.of();
        }
        Map<String, List<IndexDefinition>> before = new HashMap<>(last);
        if (!read() || before.isEmpty()) {
            return Map.of();
        }
        Map<String, List<IndexDefinition>> changed = new LinkedHashMap<>();
        last.forEach((table, indexes) -> {
            if (!indexes.equals(before.get(table))) {
                changed.put(table, indexes);
            }
        });
        return changed;
    }

    private boolean read() {
        readAtMs = clock.getAsLong();
        Map<String, List<IndexDefinition>> now = new HashMap<>();
        try (Connection connection = SourceConnection.open(shard, password)) {
            for (String table : tables) {
                now.put(table, CatalogIndexes.read(connection, table));
            }
        } catch (SQLException e) {
            if (!failing) {
                log.info("capture of shard {}: cannot read the managed tables' indexes ({}); asking again in {} s",
                        shard.id(), e.getMessage(), refreshMs / 1000);
            }
            failing = true;
            return false;
        }
        failing = false;
        last.clear();
        last.putAll(now);
        return true;
    }
}
