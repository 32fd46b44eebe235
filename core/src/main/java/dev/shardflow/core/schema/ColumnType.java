package dev.shardflow.core.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.core.topology.Engine;
import java.util.Locale;
import java.util.Objects;

/**
 * A column's type in terms both engines share, so that a change made on a PostgreSQL shard can be made on a MariaDB
 * one and the other way round: a {@link Kind}, and a size whose meaning the kind gives (bits of an integer or a float,
 * characters of text, bytes of binary, digits of a decimal, fractional-second digits of a time), with {@code null}
 * for no limit; {@code fixed} for a fixed-length text or binary, {@code unsigned} for a MariaDB/MySQL unsigned integer.
 * {@code name} is the type as its source database named it, for messages and for a type only that
 * engine knows ({@link Kind#OTHER}), which is carried over only between shards of the same engine.
 *
 * <p>{@link #holds} says whether every value of one type fits another, which is what makes a change of type a
 * widening (safe online) or a narrowing (not).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ColumnType(Kind kind, Integer size, Integer scale, boolean fixed, boolean unsigned, String name) {

    /** The families of types shardflow translates between engines. */
    public enum Kind { INTEGER, DECIMAL, FLOAT, TEXT, BINARY, BOOLEAN, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, JSON, UUID,
        OTHER }

    /** A type that is not an unsigned integer. */
    public ColumnType(Kind kind, Integer size, Integer scale, boolean fixed, String name) {
        this(kind, size, scale, fixed, false, name);
    }

    public ColumnType {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (size != null && size < 0) {
            throw new IllegalArgumentException(name + ": a size must not be negative, was " + size);
        }
    }

    /**
     * The type a database names: a PostgreSQL catalog name ({@code int4}, {@code varchar}, {@code timestamptz}) or an
     * SQL name ({@code INTEGER}, {@code VARCHAR}), or a MariaDB/MySQL one ({@code INT UNSIGNED}, {@code DATETIME},
     * {@code LONGTEXT}).
     *
     * @param length the declared length or precision, or null where the type has none or it is not limited
     * @param scale the declared scale of a decimal, or the fractional-second digits of a time; null when not given
     */
    public static ColumnType of(Engine engine, String typeName, Integer length, Integer scale) {
        String name = typeName.trim().toLowerCase(Locale.ROOT);
        boolean unsigned = name.contains("unsigned");
        String base = name.replace("unsigned", "").replace("zerofill", "").replaceAll("\\(.*\\)", "").trim();
        boolean pg = engine == Engine.POSTGRESQL;
        return switch (base) {
            case "int2", "smallint", "smallserial", "serial2" -> integer(16, unsigned, typeName);
            case "tinyint" -> !pg && length != null && length == 1 && !unsigned
                    ? new ColumnType(Kind.BOOLEAN, null, null, false, typeName) : integer(8, unsigned, typeName);
            case "mediumint" -> integer(24, unsigned, typeName);
            case "int4", "int", "integer", "serial", "serial4" -> integer(32, unsigned, typeName);
            case "int8", "bigint", "bigserial", "serial8" -> integer(64, unsigned, typeName);
            // PostgreSQL's log describes an unconstrained numeric with a precision past its limit of 1,000
            case "numeric", "decimal", "dec", "fixed" -> pg && length != null && length > 1_000
                    ? new ColumnType(Kind.DECIMAL, null, null, false, typeName)
                    : new ColumnType(Kind.DECIMAL, positive(length),
                            positive(length) == null ? null : (scale == null ? 0 : scale), false, typeName);
            case "float4", "real", "float" -> new ColumnType(Kind.FLOAT, 24, null, false, typeName);
            case "float8", "double", "double precision" -> new ColumnType(Kind.FLOAT, 53, null, false, typeName);
            case "varchar", "character varying", "nvarchar" -> new ColumnType(Kind.TEXT, positive(length), null, false,
                    typeName);
            case "bpchar", "char", "character", "nchar" -> new ColumnType(Kind.TEXT, length == null ? 1 : length, null,
                    true, typeName);
            case "text" -> new ColumnType(Kind.TEXT, pg ? null : 65_535, null, false, typeName);
            case "tinytext" -> new ColumnType(Kind.TEXT, 255, null, false, typeName);
            case "mediumtext" -> new ColumnType(Kind.TEXT, 16_777_215, null, false, typeName);
            case "longtext" -> new ColumnType(Kind.TEXT, null, null, false, typeName);
            case "bytea", "longblob" -> new ColumnType(Kind.BINARY, null, null, false, typeName);
            case "blob" -> new ColumnType(Kind.BINARY, 65_535, null, false, typeName);
            case "tinyblob" -> new ColumnType(Kind.BINARY, 255, null, false, typeName);
            case "mediumblob" -> new ColumnType(Kind.BINARY, 16_777_215, null, false, typeName);
            case "varbinary" -> new ColumnType(Kind.BINARY, positive(length), null, false, typeName);
            case "binary" -> new ColumnType(Kind.BINARY, length == null ? 1 : length, null, true, typeName);
            case "bool", "boolean" -> new ColumnType(Kind.BOOLEAN, null, null, false, typeName);
            case "date" -> new ColumnType(Kind.DATE, null, null, false, typeName);
            case "time", "time without time zone" -> new ColumnType(Kind.TIME, fraction(engine, scale, length), null,
                    false, typeName);
            case "timestamp", "timestamp without time zone" -> pg
                    ? new ColumnType(Kind.TIMESTAMP, fraction(engine, scale, length), null, false, typeName)
                    // MariaDB/MySQL TIMESTAMP is an instant, stored in UTC and shown in the session's zone
                    : new ColumnType(Kind.TIMESTAMPTZ, fraction(engine, scale, length), null, false, typeName);
            case "datetime" -> new ColumnType(Kind.TIMESTAMP, fraction(engine, scale, length), null, false, typeName);
            case "timestamptz", "timestamp with time zone" -> new ColumnType(Kind.TIMESTAMPTZ,
                    fraction(engine, scale, length), null, false, typeName);
            case "json", "jsonb" -> new ColumnType(Kind.JSON, null, null, false, typeName);
            case "uuid" -> new ColumnType(Kind.UUID, null, null, false, typeName);
            default -> new ColumnType(Kind.OTHER, length, scale, false, typeName);
        };
    }

    private static ColumnType integer(int bits, boolean unsigned, String name) {
        if (unsigned && bits == 64) {
            return new ColumnType(Kind.DECIMAL, 20, 0, false, name); // 0..2^64-1 fits no signed integer
        }
        return new ColumnType(Kind.INTEGER, bits, null, false, unsigned, name);
    }

    private static Integer positive(Integer length) {
        return length == null || length <= 0 || length == Integer.MAX_VALUE ? null : length;
    }

    /** Fractional-second digits: given as the scale (Debezium, MariaDB metadata) or the length (PostgreSQL). */
    private static Integer fraction(Engine engine, Integer scale, Integer length) {
        if (scale != null && scale >= 0 && scale <= 6) {
            return scale;
        }
        if (engine == Engine.POSTGRESQL && length != null && length >= 0 && length <= 6) {
            return length;
        }
        return engine == Engine.POSTGRESQL ? 6 : 0;
    }

    /**
     * True if every value of {@code narrower} fits this type: the same kind (or text for a fixed-length text), and at
     * least its size, integer digits and scale. An unknown type ({@link Kind#OTHER}) holds only itself.
     */
    public boolean holds(ColumnType narrower) {
        if (kind != narrower.kind) {
            return false;
        }
        return switch (kind) {
            case INTEGER -> unsigned ? narrower.unsigned && size >= narrower.size
                    : narrower.unsigned ? size > narrower.size : size >= narrower.size;
            case FLOAT, TIME, TIMESTAMP, TIMESTAMPTZ -> atLeast(size, narrower.size);
            case TEXT, BINARY -> atLeast(size, narrower.size) && (!fixed || narrower.fixed);
            case DECIMAL -> size == null || (narrower.size != null && scale >= narrower.scale
                    && size - scale >= narrower.size - narrower.scale);
            case OTHER -> name.equalsIgnoreCase(narrower.name) && Objects.equals(size, narrower.size)
                    && Objects.equals(scale, narrower.scale);
            default -> true;
        };
    }

    /** True if both hold the same values: each holds the other. */
    public boolean sameAs(ColumnType other) {
        return holds(other) && other.holds(this);
    }

    private static boolean atLeast(Integer size, Integer other) {
        return size == null || (other != null && size >= other);
    }

    /**
     * The type as {@code engine} declares it, for an {@code ADD COLUMN} or a widening there.
     *
     * @throws IllegalArgumentException for a type of another engine only that engine knows
     */
    public String sql(Engine engine, Engine from) {
        boolean pg = engine == Engine.POSTGRESQL;
        return switch (kind) {
            case INTEGER -> pg ? pgInteger(unsigned ? size + 1 : size)
                    : (size <= 8 ? "TINYINT" : size <= 16 ? "SMALLINT" : size <= 24 ? "MEDIUMINT" : size <= 32 ? "INT"
                    : "BIGINT") + (unsigned ? " UNSIGNED" : "");
            case DECIMAL -> size == null ? (pg ? "NUMERIC" : "DECIMAL(65,30)")
                    : (pg ? "NUMERIC(" : "DECIMAL(") + size + "," + scale + ")";
            case FLOAT -> size <= 24 ? "REAL" : pg ? "DOUBLE PRECISION" : "DOUBLE";
            case TEXT -> fixed && size != null && size <= 255 ? "CHAR(" + size + ")"
                    : size == null ? (pg ? "TEXT" : "LONGTEXT")
                    : pg || size <= 16_383 ? "VARCHAR(" + size + ")"
                    : size <= 65_535 ? "TEXT" : size <= 16_777_215 ? "MEDIUMTEXT" : "LONGTEXT";
            case BINARY -> pg ? "BYTEA" : fixed && size != null && size <= 255 ? "BINARY(" + size + ")"
                    : size == null ? "LONGBLOB" : size <= 255 ? "VARBINARY(" + size + ")"
                    : size <= 65_535 ? "BLOB" : size <= 16_777_215 ? "MEDIUMBLOB" : "LONGBLOB";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case TIME -> "TIME(" + size + ")";
            case TIMESTAMP -> (pg ? "TIMESTAMP(" : "DATETIME(") + size + ")";
            case TIMESTAMPTZ -> pg ? "TIMESTAMP(" + size + ") WITH TIME ZONE" : "TIMESTAMP(" + size + ")";
            case JSON -> pg ? "JSONB" : "JSON";
            case UUID -> pg ? "UUID" : "UUID";
            case OTHER -> {
                if (sameFamily(engine, from)) {
                    yield name.toUpperCase(Locale.ROOT) + (size == null ? "" : "(" + size
                            + (scale == null ? "" : "," + scale) + ")");
                }
                throw new IllegalArgumentException("type " + name + " of " + from.configName() + " has no "
                        + engine.configName() + " counterpart shardflow knows");
            }
        };
    }

    private static String pgInteger(int bits) {
        return bits <= 16 ? "SMALLINT" : bits <= 32 ? "INTEGER" : "BIGINT";
    }

    private static boolean sameFamily(Engine a, Engine b) {
        return a == b || (a != Engine.POSTGRESQL && b != Engine.POSTGRESQL);
    }

    /** The type as a person reads it in a message: its source name and size. */
    @Override
    public String toString() {
        return name + (size == null || kind == Kind.INTEGER || kind == Kind.FLOAT ? ""
                : "(" + size + (scale == null || kind != Kind.DECIMAL ? "" : "," + scale) + ")");
    }
}
