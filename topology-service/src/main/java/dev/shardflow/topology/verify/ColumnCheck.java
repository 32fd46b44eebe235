package dev.shardflow.topology.verify;

import dev.shardflow.core.schema.SchemaComparison;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.CatalogTable;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Before a verify reads a row: the managed tables must have the same columns and key on every shard it compares,
 * since rows of tables that differ cannot compare equal, and a schema change half made (on some shards only) is what
 * an operator must hear about first. Types may differ between engines; {@code shardctl schema diff} names those too.
 */
final class ColumnCheck {

    private ColumnCheck() {}

    /**
     * @throws VerifyException naming each difference, with the shards on each side, or a shard that cannot be read
     */
    static void requireSameColumns(ShardConnections connections, Topology current, Topology other) {
        Map<String, ShardSpec> shards = new LinkedHashMap<>();
        current.shards().forEach(s -> shards.put(s.id(), s));
        if (other != null) {
            other.shards().forEach(s -> shards.putIfAbsent(s.id(), s));
        }
        Map<String, Map<String, Optional<TableDefinition>>> byTable = new LinkedHashMap<>();
        current.tables().forEach(t -> byTable.put(t.name(), new LinkedHashMap<>()));
        for (ShardSpec shard : shards.values()) {
            try (Connection connection = connections.open(shard)) {
                for (TableSpec table : current.tables()) {
                    byTable.get(table.name()).put(shard.id(), CatalogTable.read(connection, shard.engine(),
                            table.name()).map(CatalogTable::definition));
                }
            } catch (SQLException e) {
                throw new VerifyException("shard " + shard.id() + ": cannot read its tables' columns: "
                        + e.getMessage());
            }
        }
        List<String> differences = new ArrayList<>();
        byTable.forEach((table, definitions) -> SchemaComparison.of(table, definitions).inColumns()
                .forEach(d -> differences.add(d.describe())));
        if (!differences.isEmpty()) {
            throw new VerifyException("verify refused: the shards differ in the columns of managed tables — "
                    + String.join("; ", differences) + " — make them equal (shardctl schema diff lists every "
                    + "difference), then verify again");
        }
    }
}
