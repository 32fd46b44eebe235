package dev.shardflow.topology.verify;

import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the keyspace's rows are spread over its shards, counted on the shards themselves ({@code COUNT(*)} per table,
 * each within {@link #STATEMENT_TIMEOUT_S} seconds): per shard and table its rows and its share of the table's rows
 * over all shards, with a warning for each share above the one set — the chapter's 30 % rule by default — next to
 * the even share the ring's shards would have. Reference tables are counted but have no share: every shard holds
 * all of them. During a rebalance the targets hold copies of the moving rows until complete, so the counts add up to
 * more than the keyspace holds; the report says so.
 */
public final class ShardRows {
    /** How long one count may take on one shard. */
    public static final int STATEMENT_TIMEOUT_S = 60;

    /** One shard: its rows per table (null where the count failed), their sum over sharded tables, and its share. */
    public record Shard(String shard, String engine, String side, Map<String, Long> rows, long sharded, double share,
            String error) {}

    /**
     * The report.
     *
     * @param tables per table its placement ({@code sharded}, {@code child}, {@code reference}) and total rows
     * @param shares per shard, per sharded table its share of the table's rows (0–1)
     */
    public record Report(String keyspace, long epoch, boolean rebalancing, double maxShare, double evenShare,
            Map<String, Map<String, Object>> tables, List<Shard> shards, Map<String, Map<String, Double>> shares,
            List<String> warnings, List<String> notes) {}

    private ShardRows() {}

    /** Counts the rows of {@code state}'s tables on the shards of both sides; a shard that fails is reported. */
    public static Report count(TopologyState state, ShardConnections connections, double maxShare) {
        if (!(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("maxShare must be above 0 and at most 1 (0.3 for 30 %), was "
                    + maxShare);
        }
        Topology current = state.currentTopology();
        Topology other = state.otherTopology();
        Set<String> ids = new LinkedHashSet<>(current.strategy().shards());
        if (other != null) {
            ids.addAll(other.strategy().shards());
        }
        List<Shard> shards = new ArrayList<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        for (String id : ids) {
            ShardSpec spec = current.shard(id).or(() -> other == null ? java.util.Optional.empty() : other.shard(id))
                    .orElseThrow();
            String side = !current.strategy().shards().contains(id) ? "joining"
                    : other != null && !other.strategy().shards().contains(id) ? "leaving" : "ring";
            Map<String, Long> rows = new LinkedHashMap<>();
            String error = null;
            try (Connection connection = connections.open(spec); Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(STATEMENT_TIMEOUT_S);
                SqlDialect dialect = SqlDialect.of(spec.engine());
                for (TableSpec table : current.tables()) {
                    try (ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + dialect.quote(table.name()))) {
                        count.next();
                        rows.put(table.name(), count.getLong(1));
                    }
                }
            } catch (SQLException e) {
                error = "cannot count the rows of shard " + id + ": " + e.getMessage();
            }
            long sharded = 0;
            for (TableSpec table : current.tables()) {
                Long n = rows.get(table.name());
                if (n != null && table.placement() != TableSpec.Placement.REFERENCE) {
                    sharded += n;
                    totals.merge(table.name(), n, Long::sum);
                }
            }
            shards.add(new Shard(id, spec.engine().configName(), side, rows, sharded, 0, error));
        }
        long all = totals.values().stream().mapToLong(Long::longValue).sum();
        double even = 1.0 / ids.size();
        List<String> warnings = new ArrayList<>();
        Map<String, Map<String, Double>> shares = new LinkedHashMap<>();
        List<Shard> withShares = new ArrayList<>();
        for (Shard shard : shards) {
            double share = all == 0 ? 0 : (double) shard.sharded() / all;
            Map<String, Double> byTable = new LinkedHashMap<>();
            for (Map.Entry<String, Long> total : totals.entrySet()) {
                Long n = shard.rows().get(total.getKey());
                if (n == null || total.getValue() == 0) {
                    continue;
                }
                double tableShare = (double) n / total.getValue();
                byTable.put(total.getKey(), tableShare);
                if (tableShare > maxShare) {
                    warnings.add(String.format(Locale.ROOT, "shard %s holds %.1f %% of the rows of %s (%d of %d), above "
                            + "the %.0f %% set; an even share is %.1f %%", shard.shard(), 100 * tableShare,
                            total.getKey(), n, total.getValue(), 100 * maxShare, 100 * even));
                }
            }
            shares.put(shard.shard(), byTable);
            if (shard.error() != null) {
                warnings.add(shard.error());
            }
            withShares.add(new Shard(shard.shard(), shard.engine(), shard.side(), shard.rows(), shard.sharded(), share,
                    shard.error()));
        }
        Map<String, Map<String, Object>> tables = new LinkedHashMap<>();
        for (TableSpec table : current.tables()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("placement", switch (table.placement()) {
                case SHARD_KEY -> "sharded";
                case PARENT -> "child";
                case REFERENCE -> "reference";
            });
            entry.put("rows", totals.get(table.name()));
            tables.put(table.name(), entry);
        }
        List<String> notes = new ArrayList<>();
        if (other != null) {
            notes.add("a rebalance (" + state.rebalanceId() + ") runs: the shards it moves keys to hold copies of the "
                    + "moving rows until it completes, so the counts add up to more rows than the keyspace holds");
        }
        if (even > maxShare) {
            notes.add(String.format(Locale.ROOT, "with %d shards an even share (%.1f %%) is above the %.0f %% set: every "
                    + "shard is over it; set the share above the even one", ids.size(), 100 * even, 100 * maxShare));
        }
        return new Report(current.keyspace(), current.epoch(), other != null, maxShare, even, tables, withShares,
                shares, warnings, notes);
    }
}
