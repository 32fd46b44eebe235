package dev.shardflow.topology.verify;

import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.registry.ShardConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads one table of one shard the way verify compares it: in primary-key order, a chunk at a time, or by keys; each
 * row with the value that places it (a child row joined to its parent for the parent's shard key) and its data in
 * the canonical form, so that a row read from MariaDB and the same row read from PostgreSQL hash alike.
 *
 * <p>Values are read by their declared SQL type rather than as whatever object the driver prefers: {@code CHAR(n)}
 * without the padding PostgreSQL adds, date-times without a zone as local date-times, and zoned ones (PostgreSQL
 * {@code timestamptz}, MariaDB {@code TIMESTAMP}, read in a UTC session) as instants. Decimals, booleans stored as
 * {@code TINYINT(1)}, and fractions of seconds are left to {@link CanonicalRow}.
 */
final class TableReader {
    /** The column a child row's parent shard key is read into; an {@code _sf_} name, so it is never data. */
    private static final String PLACEMENT_COLUMN = "_sf_placement";

    private final ShardSpec shard;
    private final TableSpec table;
    private final String select;
    private final String placementColumn;
    private final String keyList;

    TableReader(ShardSpec shard, TableSpec table, Topology topology) {
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

    ShardSpec shard() {
        return shard;
    }

    TableSpec table() {
        return table;
    }

    /** A connection to read with; a MariaDB session reads its zoned values in UTC, like PostgreSQL's instants. */
    static Connection open(ShardConnections connections, ShardSpec shard) throws SQLException {
        Connection connection = connections.open(shard);
        if (shard.engine() != Engine.POSTGRESQL) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET time_zone = '+00:00'");
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    long count(Connection connection) throws SQLException {
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
    List<Object> chunkEnd(Connection connection, List<Object> after, int rows) throws SQLException {
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
    List<RowImage> read(Connection connection, List<Object> after, List<Object> upTo) throws SQLException {
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
    Map<String, RowImage> readKeys(Connection connection, List<List<Object>> keys) throws SQLException {
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
    static String keyText(List<Object> key) {
        return key.stream().map(CanonicalRow::text).collect(Collectors.joining(","));
    }

    private List<RowImage> rows(PreparedStatement statement) throws SQLException {
        List<RowImage> rows = new ArrayList<>();
        try (ResultSet result = statement.executeQuery()) {
            ResultSetMetaData meta = result.getMetaData();
            int columns = meta.getColumnCount();
            String[] names = new String[columns + 1];
            for (int i = 1; i <= columns; i++) {
                names[i] = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
            }
            while (result.next()) {
                Map<String, Object> values = new LinkedHashMap<>();
                Object placement = null;
                for (int i = 1; i <= columns; i++) {
                    Object value = value(result, meta, i);
                    if (names[i].equals(placementColumn)) {
                        placement = value;
                    }
                    if (!names[i].startsWith("_sf_")) {
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

    private Object value(ResultSet result, ResultSetMetaData meta, int i) throws SQLException {
        String type = meta.getColumnTypeName(i).toLowerCase(Locale.ROOT);
        switch (meta.getColumnType(i)) {
            case Types.CHAR, Types.NCHAR -> {
                String text = result.getString(i);
                return text == null ? null : text.stripTrailing();
            }
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> {
                if (type.equals("timestamptz")) {
                    return result.getObject(i, OffsetDateTime.class);
                }
                LocalDateTime local = result.getObject(i, LocalDateTime.class);
                if (local != null && shard.engine() != Engine.POSTGRESQL && type.equals("timestamp")) {
                    return local.toInstant(ZoneOffset.UTC); // a MariaDB TIMESTAMP is an instant, read in UTC
                }
                return local;
            }
            case Types.DATE -> {
                return result.getObject(i, LocalDate.class);
            }
            case Types.TIME -> {
                return result.getObject(i, LocalTime.class);
            }
            default -> {
                return result.getObject(i);
            }
        }
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
        return shard.engine() == Engine.POSTGRESQL ? "\"" + identifier + "\"" : "`" + identifier + "`";
    }
}
