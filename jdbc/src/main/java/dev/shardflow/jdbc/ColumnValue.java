package dev.shardflow.jdbc;

import dev.shardflow.jdbc.TableMetadata.Column;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;

/**
 * How a change event's JSON value becomes a parameter of one target column: integers and decimals exact, ISO-8601
 * text as dates and times, Base64 text as bytes, anything else the database parses itself. A value that cannot
 * become the column's type is refused with a reason naming the column, before any SQL runs.
 */
public final class ColumnValue {
    private enum Kind { BOOLEAN, INTEGER, DECIMAL, FLOATING, TEXT, DATE, TIME, TIME_TZ, TIMESTAMP, TIMESTAMP_TZ, BYTES,
        OTHER }

    private final Column column;
    private final Kind kind;
    private final SqlDialect dialect;

    private ColumnValue(Column column, Kind kind, SqlDialect dialect) {
        this.column = column;
        this.kind = kind;
        this.dialect = dialect;
    }

    public static ColumnValue of(SqlDialect dialect, Column column) {
        Kind kind = kindOf(column);
        // PostgreSQL's driver describes an enum (a type of the schema's own) as VARCHAR, yet refuses a VARCHAR
        // parameter for it: it goes untyped, parsed by the server as the column's type
        if (kind == Kind.TEXT && dialect == SqlDialect.POSTGRESQL
                && !POSTGRES_TEXT.contains(column.typeName().toLowerCase(Locale.ROOT))) {
            kind = Kind.OTHER;
        }
        return new ColumnValue(column, kind, dialect);
    }

    /** PostgreSQL's own character types: any other type the driver calls text is the schema's own (an enum). */
    private static final java.util.Set<String> POSTGRES_TEXT = java.util.Set.of("varchar", "text", "bpchar", "char",
            "name", "citext", "character varying", "character");

    private static Kind kindOf(Column column) {
        String type = column.typeName().toLowerCase(Locale.ROOT);
        return switch (column.jdbcType()) {
            case Types.BOOLEAN -> Kind.BOOLEAN;
            case Types.BIT -> type.startsWith("bool") || type.equals("bit") || type.equals("tinyint") ? Kind.BOOLEAN
                    : Kind.OTHER;
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> Kind.INTEGER;
            case Types.DECIMAL, Types.NUMERIC -> Kind.DECIMAL;
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> Kind.FLOATING;
            case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR,
                    Types.CLOB, Types.NCLOB -> Kind.TEXT;
            case Types.DATE -> Kind.DATE;
            case Types.TIME -> type.equals("timetz") ? Kind.TIME_TZ : Kind.TIME;
            case Types.TIME_WITH_TIMEZONE -> Kind.TIME_TZ;
            case Types.TIMESTAMP -> type.equals("timestamptz") ? Kind.TIMESTAMP_TZ : Kind.TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE -> Kind.TIMESTAMP_TZ;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> Kind.BYTES;
            default -> Kind.OTHER;
        };
    }

    public Column column() {
        return column;
    }

    /**
     * The value as the Java object the driver binds for this column.
     *
     * @throws IllegalArgumentException naming the column and the value when it cannot become the column's type
     */
    public Object convert(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return switch (kind) {
                case BOOLEAN -> toBoolean(value);
                case INTEGER -> toInteger(value);
                case DECIMAL -> toDecimal(value);
                case FLOATING -> value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
                case TEXT -> value instanceof String s ? s : dev.shardflow.core.event.CanonicalRow.text(value);
                case DATE -> LocalDate.parse(text(value));
                case TIME -> time(text(value));
                case TIME_TZ -> OffsetTime.parse(text(value));
                case TIMESTAMP -> timestamp(text(value));
                case TIMESTAMP_TZ -> timestampTz(text(value));
                case BYTES -> value instanceof byte[] bytes ? bytes : Base64.getDecoder().decode(text(value));
                case OTHER -> value instanceof Number || value instanceof Boolean ? value : value.toString();
            };
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException | ClassCastException e) {
            throw new IllegalArgumentException("column " + column.name() + " (" + column.typeName() + "): "
                    + describe(value) + " does not convert: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("column " + column.name() + " (" + column.typeName() + "): "
                    + describe(value) + " does not convert: " + e.getMessage(), e);
        }
    }

    /** Binds a value returned by {@link #convert} as parameter {@code index}. */
    public void bind(PreparedStatement statement, int index, Object converted) throws SQLException {
        if (converted == null) {
            statement.setNull(index, kind == Kind.OTHER && dialect == SqlDialect.POSTGRESQL ? Types.OTHER
                    : column.jdbcType());
        } else if (kind == Kind.OTHER && dialect == SqlDialect.POSTGRESQL && converted instanceof String) {
            // uuid, json, jsonb, inet, enums: sent untyped so that PostgreSQL parses the text as the column's type
            statement.setObject(index, converted, Types.OTHER);
        } else if (converted instanceof Long l) {
            statement.setLong(index, l);
        } else if (converted instanceof String text) {
            statement.setString(index, text);
        } else if (converted instanceof java.math.BigDecimal decimal) {
            statement.setBigDecimal(index, decimal);
        } else if (converted instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else {
            statement.setObject(index, converted);
        }
    }

    private static String text(Object value) {
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("expected ISO-8601 text");
        }
        return s;
    }

    private static Object toBoolean(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.longValue() != 0;
        }
        return switch (value.toString().toLowerCase(Locale.ROOT)) {
            case "true", "t", "1" -> Boolean.TRUE;
            case "false", "f", "0" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static Object toInteger(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        BigInteger exact = (value instanceof BigDecimal d ? d : new BigDecimal(value.toString())).toBigIntegerExact();
        return exact.bitLength() < 64 ? (Object) exact.longValue() : new BigDecimal(exact);
    }

    private static BigDecimal toDecimal(Object value) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        return new BigDecimal(value.toString());
    }

    private static LocalTime time(String text) {
        return text.endsWith("Z") || text.contains("+") ? OffsetTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC)
                .toLocalTime() : LocalTime.parse(text);
    }

    /** Instants are stored as their UTC wall time in a column without a zone, as capture reads them. */
    private static LocalDateTime timestamp(String text) {
        return hasOffset(text) ? OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()
                : LocalDateTime.parse(text);
    }

    private static OffsetDateTime timestampTz(String text) {
        return hasOffset(text) ? OffsetDateTime.parse(text) : LocalDateTime.parse(text).atOffset(ZoneOffset.UTC);
    }

    private static boolean hasOffset(String text) {
        int time = text.indexOf('T');
        return time > 0 && (text.endsWith("Z") || text.indexOf('+', time) > 0 || text.indexOf('-', time) > 0);
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        return "'" + (text.length() > 64 ? text.substring(0, 64) + "…" : text) + "'";
    }
}
