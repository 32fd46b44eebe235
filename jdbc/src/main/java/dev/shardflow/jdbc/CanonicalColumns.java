package dev.shardflow.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Engine;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Reads a column value the way shardflow compares rows across engines: by its declared SQL type, not as whatever
 * object the driver prefers. {@code CHAR(n)} loses the padding PostgreSQL adds (MariaDB strips it on read),
 * date-times without a zone read as local date-times, zoned ones (PostgreSQL {@code timestamptz}, and MariaDB
 * {@code TIMESTAMP} in a session whose {@code time_zone} is UTC) as instants, dates and times as such, JSON as one
 * text ({@link #json}). Decimal scale, booleans stored as {@code TINYINT(1)}, fractions of seconds, and an instant
 * against its UTC wall time are then alike under {@link dev.shardflow.core.event.CanonicalRow}.
 */
public final class CanonicalColumns {

    private CanonicalColumns() {}

    /** The statement that makes a MariaDB/MySQL session read zoned values in UTC; null for PostgreSQL. */
    public static String utcSession(Engine engine) {
        return engine == Engine.POSTGRESQL ? null : "SET time_zone = '+00:00'";
    }

    /** How one column of a result is read, decided once from the result's metadata rather than for every row. */
    @FunctionalInterface
    public interface Column {
        Object read(ResultSet result) throws SQLException;
    }

    /** The read of column {@code column} (1-based) of a result with this metadata. */
    public static Column column(ResultSetMetaData meta, int column, Engine engine) throws SQLException {
        String type = meta.getColumnTypeName(column).toLowerCase(Locale.ROOT);
        switch (meta.getColumnType(column)) {
            case Types.CHAR, Types.NCHAR -> {
                return result -> stripPadding(result.getString(column));
            }
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> {
                if (type.equals("timestamptz")) {
                    return result -> result.getObject(column, OffsetDateTime.class);
                }
                if (engine != Engine.POSTGRESQL && type.equals("timestamp")) {
                    return result -> {
                        LocalDateTime local = result.getObject(column, LocalDateTime.class);
                        return local == null ? null : local.toInstant(ZoneOffset.UTC); // an instant, read in UTC
                    };
                }
                return result -> result.getObject(column, LocalDateTime.class);
            }
            case Types.DATE -> {
                return result -> result.getObject(column, LocalDate.class);
            }
            case Types.TIME -> {
                return result -> result.getObject(column, LocalTime.class);
            }
            default -> {
                return result -> result.getObject(column);
            }
        }
    }

    /**
     * A value converted for a column (what the writer binds) as {@link #column} would read it back: padding stripped,
     * a MariaDB {@code TIMESTAMP} as an instant.
     */
    public static Object asRead(Object converted, TableMetadata.Column column, Engine engine) {
        return column.json() ? json(converted) : asRead(converted, column.jdbcType(), column.typeName(), engine);
    }

    /** {@link #asRead(Object, TableMetadata.Column, Engine)} for a column that does not hold JSON. */
    public static Object asRead(Object converted, int jdbcType, String typeName, Engine engine) {
        if (converted instanceof String text && padded(jdbcType)) {
            return stripPadding(text);
        }
        if (converted instanceof LocalDateTime local && engine != Engine.POSTGRESQL
                && typeName.toLowerCase(Locale.ROOT).equals("timestamp")) {
            return local.toInstant(ZoneOffset.UTC);
        }
        return converted;
    }

    /**
     * A JSON document in one text whichever engine kept it: members sorted by name, no spaces, numbers exact. jsonb
     * reorders members and spaces them its own way, MariaDB keeps the text it was given; both hold the same document.
     * A value that is not JSON is left as it is.
     */
    public static Object json(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        try {
            Object document = EventJson.mapper().readValue(text, Object.class);
            return SORTED.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    private static final ObjectWriter SORTED = EventJson.mapper().writer()
            .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** A fixed-length text value without its trailing padding; how both engines agree on {@code CHAR(n)}. */
    public static String stripPadding(String text) {
        return text == null ? null : text.stripTrailing();
    }

    /** True for the SQL types whose values {@link #stripPadding} applies to. */
    public static boolean padded(int jdbcType) {
        return jdbcType == Types.CHAR || jdbcType == Types.NCHAR;
    }
}
