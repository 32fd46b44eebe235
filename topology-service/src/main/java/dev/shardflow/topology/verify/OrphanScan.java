package dev.shardflow.topology.verify;

import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.ReferenceCopies;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.jdbc.RowImage;
import dev.shardflow.jdbc.RowReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Finds rows that live on a shard that does not own their key: at the epoch in force, and during a rebalance at the
 * other side's epoch either. An orphan whose owner holds the key too is a key on two shards. Reference tables are
 * compared whole against the first shard of the ring instead. Reads only, chunk by chunk in key order.
 */
final class OrphanScan {
    private final ShardConnections connections;
    private final VerifyTally tally;
    private final VerifySettings settings;
    private final Placement placement;
    private final Runnable paced;

    OrphanScan(ShardConnections connections, VerifyTally tally, VerifySettings settings, Placement placement,
            Runnable paced) {
        this.connections = connections;
        this.tally = tally;
        this.settings = settings;
        this.placement = placement;
        this.paced = paced;
    }

    /** Scans {@code table} on {@code shard} from {@code after} on; {@code done} gets the last key of each chunk. */
    void scan(TableSpec table, ShardSpec shard, List<Object> after, Consumer<List<Object>> done)
            throws SQLException {
        RowReader reader = new RowReader(shard, table, placement.current(),
                ChunkedVerifier.derivedColumns(placement.current(), table));
        List<Object> from = after;
        do {
            List<Object> upTo;
            List<RowImage> rows;
            try (Connection connection = open(shard)) {
                upTo = reader.chunkEnd(connection, from, settings.chunkRows());
                rows = reader.read(connection, from, upTo);
            }
            tally.rowsRead += rows.size();
            tally.rowsScanned += rows.size();
            tally.rowsCompared += rows.size(); // each row compared with its owner
            Map<String, List<RowImage>> orphansByOwner = new TreeMap<>();
            for (RowImage row : rows) {
                if (row.placementKey() == null) {
                    tally.unplaceable++;
                    continue;
                }
                String owner = placement.ownerOf(row.placementKey());
                String otherOwner = placement.otherOwnerOf(row.placementKey()).orElse(null);
                if (!shard.id().equals(owner) && !shard.id().equals(otherOwner)) {
                    orphansByOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(row);
                }
            }
            for (Map.Entry<String, List<RowImage>> orphans : orphansByOwner.entrySet()) {
                report(table, shard, orphans.getKey(), orphans.getValue());
            }
            tally.chunks++;
            done.accept(upTo);
            paced.run();
            from = upTo;
        } while (from != null);
    }

    private void report(TableSpec table, ShardSpec shard, String ownerId, List<RowImage> orphans)
            throws SQLException {
        ShardSpec owner = placement.current().shard(ownerId).orElseThrow();
        Map<String, RowImage> onOwner;
        try (Connection connection = open(owner)) {
            onOwner = new RowReader(owner, table, placement.current(),
                    ChunkedVerifier.derivedColumns(placement.current(), table)).readKeys(connection,
                    orphans.stream().map(RowImage::keyValues).toList());
        }
        for (RowImage orphan : orphans) {
            RowImage there = onOwner.get(orphan.key());
            tally.found(there == null ? Mismatch.Kind.ORPHAN : Mismatch.Kind.DUPLICATE, table.name(), orphan.key(),
                    ownerId, shard.id(), there, orphan);
        }
    }

    /**
     * Compares a reference table on every shard with its copy on the first shard of the ring. During a rebalance the
     * shards that join the ring get that copy through the pipeline: they are read once a watermark written on the
     * first shard after its rows were read has reached them, so a copy on its way does not count as a difference.
     */
    void compareReference(TableSpec table, List<ShardSpec> shards, Watermarks watermarks)
            throws SQLException, InterruptedException {
        ShardSpec first = shards.get(0);
        Map<String, RowImage> baseline = readAll(first, table);
        if (watermarks != null && placement.other() != null) {
            List<String> joining = ReferenceCopies.joining(placement.current(), placement.other());
            String id = watermarks.write(first);
            for (ShardSpec shard : shards) {
                if (joining.contains(shard.id())) {
                    watermarks.awaitApplied(id, first, shard, settings.watermarkTimeout());
                }
            }
        }
        for (ShardSpec shard : shards.subList(1, shards.size())) {
            Map<String, RowImage> copy = readAll(shard, table);
            Map<String, RowImage> keys = new LinkedHashMap<>(baseline);
            copy.forEach(keys::putIfAbsent);
            tally.rowsCompared += keys.size();
            for (String key : keys.keySet()) {
                RowImage a = baseline.get(key);
                RowImage b = copy.get(key);
                if (a == null || b == null || a.hash() != b.hash()) {
                    tally.found(Mismatch.Kind.REFERENCE, table.name(), key, first.id(), shard.id(), a, b);
                }
            }
        }
        tally.chunks++;
    }

    private Map<String, RowImage> readAll(ShardSpec shard, TableSpec table) throws SQLException {
        Map<String, RowImage> rows = new LinkedHashMap<>();
        try (Connection connection = open(shard)) {
            new RowReader(shard, table, placement.current(),
                    ChunkedVerifier.derivedColumns(placement.current(), table)).read(connection, null, null)
                    .forEach(r -> rows.put(r.key(), r));
        }
        tally.rowsRead += rows.size();
        paced.run();
        return rows;
    }

    private Connection open(ShardSpec shard) throws SQLException {
        return RowReader.prepare(connections.open(shard), shard);
    }
}
