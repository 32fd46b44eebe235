package dev.shardflow.writer.replay;

import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.CanonicalColumns;
import dev.shardflow.jdbc.RowReader;
import dev.shardflow.jdbc.TableMetadata;
import dev.shardflow.writer.jdbc.TargetTable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which changes of the log are the replayed shard's own rows, and what they look like once written: a change counts
 * when the shard captured it (whichever shard the row first came from) and the shard owns the row at the epoch in
 * force — by its shard key, by its parent's for a child table, always for a reference table. Images are hashed as the
 * writer would write them (converted for their columns) and as {@link RowReader} reads them back.
 */
final class ShardHistory {
    private final ShardSpec shard;
    private final Topology topology;
    private final Map<String, RowLedger> ledgers = new LinkedHashMap<>();
    private final Map<String, TargetTable> targets = new HashMap<>();

    ShardHistory(ShardSpec shard, Topology topology) {
        this.shard = shard;
        this.topology = topology;
    }

    void add(TargetTable target) {
        targets.put(target.name(), target);
        ledgers.put(target.name(), new RowLedger());
    }

    TargetTable target(String table) {
        return targets.get(table);
    }

    RowLedger ledger(String table) {
        return ledgers.get(table);
    }

    Map<String, RowLedger> ledgers() {
        return ledgers;
    }

    static String key(TableSpec spec, ChangeEvent event) {
        return RowReader.keyText(spec.primaryKey().stream().map(c -> event.key().get(c)).toList());
    }

    /**
     * The row's key if the change is of a row of the shard's own history that it owns now; else null. Parent rows'
     * shard keys are noted on the way, to place their children.
     */
    String ownKey(TableSpec spec, ChangeEvent event) {
        if (event == null || event.isMarker() || !shard.id().equals(event.source().shard())) {
            return null;
        }
        String key = key(spec, event);
        if (spec.placement() == TableSpec.Placement.SHARD_KEY) {
            ledgers.get(spec.name()).placeParent(key, placement(spec, event));
        }
        return owned(spec, event) ? key : null;
    }

    boolean owned(TableSpec spec, ChangeEvent event) {
        if (spec.placement() == TableSpec.Placement.REFERENCE) {
            return true;
        }
        Object placement = placement(spec, event);
        return placement != null && topology.strategy().ownerOf(placement).equals(shard.id());
    }

    /** The value that places the row: its shard key, or its parent's; null if unknown. */
    private Object placement(TableSpec spec, ChangeEvent event) {
        Map<String, Object> image = event.after() != null ? event.after() : event.before();
        return switch (spec.placement()) {
            case SHARD_KEY -> image == null ? event.shardKey() : image.get(spec.shardKeyColumn());
            case PARENT -> image == null ? null : ledgers.get(spec.parentTable()).parentShardKey(
                    RowReader.keyText(List.of(image.get(spec.parentColumn()))));
            case REFERENCE -> null;
        };
    }

    /**
     * The hash of the row a change leaves, {@link RowLedger#DELETED} for a delete.
     *
     * @throws IllegalArgumentException if a value does not convert for its column
     */
    long image(String table, ChangeEvent event) {
        if (event.row() == null) {
            return RowLedger.DELETED;
        }
        TargetTable target = targets.get(table);
        Object[] values = target.upsertValues(event.row(), new byte[0]);
        List<TableMetadata.Column> columns = target.dataColumns();
        Map<String, Object> canonical = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            TableMetadata.Column column = columns.get(i);
            canonical.put(column.name().toLowerCase(Locale.ROOT), CanonicalColumns.asRead(values[i], column,
                    shard.engine()));
        }
        return CanonicalRow.hash(canonical);
    }
}
