package dev.shardflow.topology.workflow;

import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares the moving rows of a rebalance on both sides: per table placed by a shard key, every row of an old owner
 * that the target topology places on another shard against the row with the same key there, by the hash of their
 * canonical encoding (shardflow's own {@code _sf_} columns left out). It reads whole tables and is exact only when
 * the move has caught up and writes to the moving keys are quiet; it reports the keys that differ.
 */
public final class MovedRowsVerifier {
    private static final int SAMPLE = 20;

    private final ShardConnections connections;

    public MovedRowsVerifier(ShardConnections connections) {
        this.connections = connections;
    }

    public Rebalance.Verification verify(Rebalance rebalance) throws SQLException {
        Topology from = rebalance.fromTopology();
        Topology to = rebalance.toTopology();
        long compared = 0;
        long mismatches = 0;
        List<String> sample = new ArrayList<>();
        for (TableSpec table : from.tables()) {
            if (table.placement() != TableSpec.Placement.SHARD_KEY) {
                continue;
            }
            Map<String, Map<Object, Long>> targets = new HashMap<>();
            for (String source : from.strategy().shards()) {
                for (Map.Entry<Object, Row> row : rows(shard(from, to, source), table).entrySet()) {
                    String owner = to.strategy().ownerOf(row.getValue().shardKey());
                    if (owner.equals(source)) {
                        continue;
                    }
                    Map<Object, Long> there = targets.computeIfAbsent(owner, id -> hashes(shard(from, to, id), table));
                    Long other = there.get(row.getKey());
                    compared++;
                    if (other == null || other != row.getValue().hash()) {
                        mismatches++;
                        if (sample.size() < SAMPLE) {
                            sample.add(table.name() + " " + row.getKey() + " on " + source + " vs " + owner + ": "
                                    + (other == null ? "missing" : "differs"));
                        }
                    }
                }
            }
        }
        return new Rebalance.Verification(System.currentTimeMillis(), compared, mismatches, sample);
    }

    private record Row(Object shardKey, long hash) {}

    private static ShardSpec shard(Topology from, Topology to, String id) {
        return from.shard(id).or(() -> to.shard(id)).orElseThrow();
    }

    private Map<Object, Long> hashes(ShardSpec shard, TableSpec table) {
        try {
            Map<Object, Long> hashes = new HashMap<>();
            rows(shard, table).forEach((key, row) -> hashes.put(key, row.hash()));
            return hashes;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + table.name() + " on " + shard.id() + ": "
                    + e.getMessage(), e);
        }
    }

    private Map<Object, Row> rows(ShardSpec shard, TableSpec table) throws SQLException {
        Map<Object, Row> rows = new HashMap<>();
        try (Connection connection = connections.open(shard); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT * FROM " + table.name())) {
            ResultSetMetaData meta = result.getMetaData();
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String name = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
                    if (!name.startsWith("_sf_")) {
                        row.put(name, result.getObject(i));
                    }
                }
                List<Object> key = new ArrayList<>();
                table.primaryKey().forEach(column -> key.add(String.valueOf(row.get(column))));
                rows.put(key.size() == 1 ? key.get(0) : key, new Row(row.get(table.shardKeyColumn()),
                        CanonicalRow.hash(row)));
            }
        }
        return rows;
    }
}
