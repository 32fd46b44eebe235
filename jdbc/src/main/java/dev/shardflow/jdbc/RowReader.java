package dev.shardflow.jdbc;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads one table of one shard the way shardflow compares rows (verify, replay's check): in primary-key order, a chunk at a time, or by keys; each
 * row with the value that places it (a child row joined to its parent for the parent's shard key) and its data in
 * the canonical form, so that a row read from MariaDB and the same row read from PostgreSQL hash alike.
 *
 * <p>Values are read by their declared SQL type ({@link CanonicalColumns}), in a UTC session on MariaDB.
 */
public final class RowReader {
    /** The column a child row's parent shard key is read into; one of shardflow's own names, so it is never data. */
    private static final String PLACEMENT_COLUMN = ControlTables.OWN_COLUMN_PREFIX + "placement";

    private final ShardSpec shard;
    private final TableSpec table;
    private final String select;
    private final String placementColumn;
    private final String keyList;
    private final Set<String> leftOut;
    private Set<String> json; // read once, with the first rows

    public RowReader(ShardSpec shard, TableSpec table, Topology topology) {
        this(shard, table, topology, Set.of());
    }

    /** @param leftOut data columns left out of the rows read (lower case), besides shardflow's own */
    public RowReader(ShardSpec shard, TableSpec table, Topology topology, Set<String> leftOut) {
        this.leftOut = Set.copyOf(leftOut);
        this.shard = shard;
        this.table = table;
        this.keyList = table.primaryKey().stream().map(c -> "t." + q(c)).collect(Collectors.joining(", "));
        switch (table.placement()) {
            case PARENT -> {
                TableSpec parent = topology.table(table.parentTable()).orElseThrow(() -> new IllegalStateException(
                        "table " + table.name() + " follows " + table.parentTable() + ", which the topology lacks"));
                if (parent.placement() != TableSpec.Placement.SHARD_KEY || parent.primaryKey().size() != 1) {
                    throw new IllegalStateException("table " + table.name() + " follows " + parent.name()
                            + ", which needs a one-column primary key and a shard key of its own");
                }
                this.select = "SELECT t.*, p." + q(parent.shardKeyColumn()) + " AS " + PLACEMENT_COLUMN + " FROM "
                        + q(table.name()) + " t LEFT JOIN " + q(parent.name()) + " p ON p." + q(parent.primaryKey().get(0))
                        + " = t." + q(table.parentColumn());
                this.placementColumn = PLACEMENT_COLUMN;
            }
            case SHARD_KEY -> {
                this.select = "SELECT t.* FROM " + q(table.name()) + " t";
                this.placementColumn = table.shardKeyColumn();
            }
            default -> {
                this.select = "SELECT t.* FROM " + q(table.name()) + " t";
                this.placementColumn = null;
            }
        }
    }

    public ShardSpec shard() {
        return shard;
    }

    public TableSpec table() {
        return table;
    }

    /** Makes a connection read as this class expects: a MariaDB session reads its zoned values in UTC. */
    public static Connection prepare(Connection connection, ShardSpec shard) throws SQLException {
        String utc = CanonicalColumns.utcSession(shard.engine());
        if (utc != null) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(utc);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    public long count(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM " + q(table.name()))) {
            result.next();
            return result.getLong(1);
        }
    }

    /**
     * The key that ends the chunk of {@code rows} rows after {@code after} (null: from the start), or null when fewer
     * rows than that are left, so the chunk runs to the end of the table.
     */
    public List<Object> chunkEnd(Connection connection, List<Object> after, int rows) throws SQLException {
        String sql = "SELECT " + keyList + " FROM " + q(table.name()) + " t" + (after == null ? "" : " WHERE "
                + greaterThan()) + " ORDER BY " + keyList + " LIMIT 1 OFFSET " + (rows - 1);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, 1, after);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    return null;
                }
                List<Object> key = new ArrayList<>();
                for (int i = 1; i <= table.primaryKey().size(); i++) {
                    key.add(result.getObject(i));
                }
                return key;
            }
        }
    }

    /** The rows with keys after {@code after} (null: from the start) up to and including {@code upTo} (null: all). */
    public List<RowImage> read(Connection connection, List<Object> after, List<Object> upTo) throws SQLException {
        List<String> conditions = new ArrayList<>();
        if (after != null) {
            conditions.add(greaterThan());
        }
        if (upTo != null) {
            conditions.add(notGreaterThan());
        }
        String sql = select + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY " + keyList;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setFetchSize(1_000);
            int next = bind(statement, 1, after);
            bind(statement, next, upTo);
            return rows(statement);
        }
    }

    /** The rows with these keys that exist, by canonical key. */
    public Map<String, RowImage> readKeys(Connection connection, List<List<Object>> keys) throws SQLException {
        Map<String, RowImage> found = new LinkedHashMap<>();
        for (int from = 0; from < keys.size(); from += 500) {
            List<List<Object>> batch = keys.subList(from, Math.min(keys.size(), from + 500));
            String tuple = table.primaryKey().size() == 1 ? "?"
                    : "(" + String.join(", ", Collections.nCopies(table.primaryKey().size(), "?")) + ")";
            String sql = select + " WHERE " + (table.primaryKey().size() == 1 ? keyList : "(" + keyList + ")")
                    + " IN (" + String.join(", ", Collections.nCopies(batch.size(), tuple)) + ")";
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int index = 1;
                for (List<Object> key : batch) {
                    index = bind(statement, index, key);
                }
                for (RowImage row : rows(statement)) {
                    found.put(row.key(), row);
                }
            }
        }
        return found;
    }

    /** The canonical text of a key, the same on every engine. */
    public static String keyText(List<Object> key) {
        return key.stream().map(CanonicalRow::text).collect(Collectors.joining(","));
    }

    private List<RowImage> rows(PreparedStatement statement) throws SQLException {
        List<RowImage> rows = new ArrayList<>();
        try (ResultSet result = statement.executeQuery()) {
            ResultSetMetaData meta = result.getMetaData();
            if (json == null) {
                json = TableMetadata.read(statement.getConnection(), table.name()).jsonColumns();
            }
            // what to do with each column, decided once per result rather than for every cell
            int columns = meta.getColumnCount();
            String[] names = new String[columns + 1];
            CanonicalColumns.Column[] reads = new CanonicalColumns.Column[columns + 1];
            boolean[] isJson = new boolean[columns + 1];
            boolean[] kept = new boolean[columns + 1];
            int placementAt = -1;
            for (int i = 1; i <= columns; i++) {
                names[i] = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
                reads[i] = CanonicalColumns.column(meta, i, shard.engine());
                isJson[i] = json.contains(names[i]);
                kept[i] = !ControlTables.isOwnColumn(names[i]) && !leftOut.contains(names[i]);
                placementAt = names[i].equals(placementColumn) ? i : placementAt;
            }
            while (result.next()) {
                // sorted by name, the canonical encoding's order, so hashing it needs no sorted copy
                Map<String, Object> values = new TreeMap<>();
                Object placement = null;
                for (int i = 1; i <= columns; i++) {
                    Object value = reads[i].read(result);
                    if (isJson[i]) {
                        value = CanonicalColumns.json(value);
                    }
                    if (i == placementAt) {
                        placement = value;
                    }
                    if (kept[i]) {
                        values.put(names[i], value);
                    }
                }
                List<Object> key = new ArrayList<>();
                table.primaryKey().forEach(column -> key.add(values.get(column)));
                rows.add(new RowImage(keyText(key), key, placement, values, CanonicalRow.hash(values)));
            }
        }
        return rows;
    }

    private String greaterThan() {
        return compare(">");
    }

    private String notGreaterThan() {
        return compare("<=");
    }

    private String compare(String operator) {
        if (table.primaryKey().size() == 1) {
            return keyList + " " + operator + " ?";
        }
        return "(" + keyList + ") " + operator + " (" + String.join(", ",
                Collections.nCopies(table.primaryKey().size(), "?")) + ")";
    }

    private static int bind(PreparedStatement statement, int index, List<Object> key) throws SQLException {
        if (key == null) {
            return index;
        }
        for (Object value : key) {
            statement.setObject(index++, value);
        }
        return index;
    }

    private String q(String identifier) {
        return SqlDialect.of(shard.engine()).quote(identifier);
    }
}
