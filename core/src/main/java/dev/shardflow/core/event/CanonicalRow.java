package dev.shardflow.core.event;

import com.dynatrace.hash4j.hashing.Hashing;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The one canonical encoding of a row, on which row hashes and chunk checksums are computed, so that the same
 * logical row read from PostgreSQL, from MariaDB, or from a change event encodes to the same bytes:
 *
 * <ul>
 *   <li>columns in ascending order of name; each as its name, a type tag and its text, length-prefixed;
 *   <li>numbers of any Java type as plain decimals without trailing zeros ({@code 5}, {@code 5.0} and {@code 5.00}
 *       are the same), and booleans as the numbers 1 and 0, since MariaDB stores {@code BOOLEAN} as
 *       {@code TINYINT(1)};
 *   <li>date-times as ISO-8601 with the fraction trimmed and no zone: a date-time without a zone as it is, an
 *       instant or zoned time as its wall-clock time in UTC. A writer stores an instant in a column without a zone
 *       as its UTC wall time and a zone-less value in a zoned column as that time in UTC, so MariaDB
 *       {@code TIMESTAMP} and {@code DATETIME}, PostgreSQL {@code timestamp} and {@code timestamptz} holding the same
 *       moment encode alike whichever pair a move copies between; dates as ISO dates;
 *   <li>byte arrays as Base64; null as its own tag, distinct from the empty string;
 *   <li>three type tags only (null, number, text), so a date read over JDBC and the ISO string in a change event
 *       encode alike.
 * </ul>
 */
public final class CanonicalRow {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    private CanonicalRow() {}

    public static byte[] encode(Map<String, ?> row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + row.size() * 16);
        Map<String, ?> sorted = row instanceof SortedMap<String, ?> already && already.comparator() == null ? row
                : new TreeMap<>(row);
        for (Map.Entry<String, ?> column : sorted.entrySet()) {
            writeField(out, column.getKey());
            Object value = column.getValue();
            out.write(tag(value));
            if (value != null) {
                writeField(out, text(value));
            }
        }
        return out.toByteArray();
    }

    /** A 64-bit hash (XXH3) of the canonical encoding. */
    public static long hash(Map<String, ?> row) {
        return Hashing.xxh3_64().hashBytesToLong(encode(row));
    }

    /** The canonical text of one value (null for null). */
    public static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean bool) {
            return bool ? "1" : "0";
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof BigDecimal decimal) {
            return decimal(decimal);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? decimal(new BigDecimal(Double.toString(d))) : Double.toString(d);
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof TemporalAccessor temporal) {
            return temporal(temporal);
        }
        if (value instanceof java.util.Date date) {
            // java.sql.Timestamp/Date/Time print in the JVM's zone and lose nothing of what JDBC read
            return temporalFromLegacy(date);
        }
        if (value instanceof UUID || value instanceof CharSequence) {
            return value.toString();
        }
        return value.toString();
    }

    private static int tag(Object value) {
        if (value == null) {
            return 'N';
        }
        if (value instanceof Number || value instanceof Boolean) {
            return 'n';
        }
        // Dates, times and bytes are text: a change event carries them as ISO-8601 and Base64 strings.
        return 's';
    }

    private static String decimal(BigDecimal decimal) {
        return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
    }

    private static String temporal(TemporalAccessor temporal) {
        if (temporal instanceof Instant instant) {
            return trimFraction(LOCAL.format(LocalDateTime.ofInstant(instant, ZoneOffset.UTC)));
        }
        if (temporal instanceof OffsetDateTime offset) {
            return temporal(offset.toInstant());
        }
        if (temporal instanceof ZonedDateTime zoned) {
            return temporal(zoned.toInstant());
        }
        if (temporal instanceof LocalDateTime local) {
            return trimFraction(LOCAL.format(local));
        }
        if (temporal instanceof LocalTime time) {
            return trimFraction(DateTimeFormatter.ISO_LOCAL_TIME.format(time));
        }
        if (temporal instanceof LocalDate date) {
            return date.toString();
        }
        return temporal.toString();
    }

    private static String temporalFromLegacy(java.util.Date date) {
        return switch (date.getClass().getName()) {
            case "java.sql.Date", "java.sql.Time" -> date.toString();
            case "java.sql.Timestamp" -> trimFraction(date.toString().replace(' ', 'T'));
            default -> temporal(date.toInstant());
        };
    }

    private static String trimFraction(String iso) {
        int dot = iso.indexOf('.');
        if (dot < 0) {
            return iso;
        }
        int end = iso.length();
        while (end > dot + 1 && iso.charAt(end - 1) == '0') {
            end--;
        }
        return end == dot + 1 ? iso.substring(0, dot) : iso.substring(0, end);
    }

    private static void writeField(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        while (length >= 0x80) { // unsigned LEB128, so no separator byte can be mistaken for content
            out.write((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.write(bytes, 0, bytes.length);
    }
}
