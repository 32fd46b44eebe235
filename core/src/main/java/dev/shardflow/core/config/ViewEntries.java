package dev.shardflow.core.config;

import dev.shardflow.core.config.TopologyDocument.ViewEntry;
import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.ViewSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code views:} of a topology file checked against its tables: each problem names its field. */
final class ViewEntries {

    private ViewEntries() {}

    static List<ViewSpec> validate(List<ViewEntry> entries, List<TableSpec> tables, Problems problems) {
        List<ViewSpec> views = new ArrayList<>();
        if (entries == null) {
            return views;
        }
        Map<String, TableSpec> byName = new HashMap<>();
        tables.forEach(t -> byName.put(t.name(), t));
        Set<String> seen = new HashSet<>();
        Set<String> patchedColumns = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            ViewEntry entry = entries.get(i);
            String at = "views[" + i + "]";
            int before = problems.size();
            if (entry.name() == null || !seen.add(entry.name())) {
                problems.add(at + ".name", entry.name() == null ? "missing" : "view " + entry.name() + " is listed twice");
            }
            TableSpec from = entry.from() == null ? null : byName.get(entry.from());
            if (from == null || from.placement() != TableSpec.Placement.SHARD_KEY) {
                problems.add(at + ".from", "'" + entry.from() + "' is not a table of this keyspace placed by a shard key");
            }
            TableSpec joined = entry.join() == null || entry.join().table() == null ? null
                    : byName.get(entry.join().table());
            if (joined == null || joined.placement() != TableSpec.Placement.SHARD_KEY || joined.primaryKey().size() != 1) {
                problems.add(at + ".join.table", "name a table of this keyspace placed by a shard key, with a "
                        + "one-column primary key");
            }
            if (entry.join() == null || entry.join().on() == null) {
                problems.add(at + ".join.on", "missing; name the column of " + entry.from() + " that holds the key of "
                        + "the joined row");
            }
            Map<String, String> columns = entry.columns() == null ? Map.of() : entry.columns();
            if (columns.isEmpty()) {
                problems.add(at + ".columns", "missing; map each view column to table.column");
            }
            boolean inPlace = Boolean.TRUE.equals(entry.inPlace());
            columns.forEach((column, sourceColumn) -> {
                String table = sourceColumn == null ? "" : sourceColumn.substring(0, Math.max(0, sourceColumn.indexOf('.')));
                boolean joinedColumn = entry.join() != null && table.equals(entry.join().table());
                if (inPlace && !joinedColumn) {
                    problems.add(at + ".columns." + column, "'" + sourceColumn + "' is not a column of the joined "
                            + "table; an in-place view keeps columns of " + entry.from() + " equal to columns of "
                            + (entry.join() == null ? "the joined table" : entry.join().table()));
                } else if (!table.equals(entry.from()) && !joinedColumn) {
                    problems.add(at + ".columns." + column, "'" + sourceColumn + "' is not a column of " + entry.from()
                            + " or of the joined table; write table.column");
                }
                if (inPlace && (ControlTables.isOwnColumn(column) || (from != null && from.primaryKey().contains(column))
                        || column.equals(entry.join() == null ? null : entry.join().on())
                        || (from != null && column.equals(from.shardKeyColumn())))) {
                    problems.add(at + ".columns." + column, "an in-place view cannot set " + entry.from() + "."
                            + column + ": it is a key, the join column or shardflow's own");
                }
            });
            if (inPlace) {
                columns.keySet().forEach(column -> {
                    if (!patchedColumns.add(entry.from() + "." + column)) {
                        problems.add(at + ".columns." + column, entry.from() + "." + column
                                + " is already kept by another in-place view; keep each column by one view");
                    }
                });
            } else if (from != null) {
                for (String key : from.primaryKey()) {
                    if (!columns.containsValue(from.name() + "." + key)) {
                        problems.add(at + ".columns", "no view column holds " + from.name() + "." + key + ", the key "
                                + "of the view; add one");
                    }
                }
            }
            if (problems.size() == before) {
                views.add(new ViewSpec(entry.name(), entry.from(), entry.join().table(), entry.join().on(), columns,
                        inPlace));
            }
        }
        return views;
    }
}
