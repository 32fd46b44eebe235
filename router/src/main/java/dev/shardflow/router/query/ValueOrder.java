package dev.shardflow.router.query;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The one order and equality merged answers use, whichever engine a value came from: numbers by value (a
 * PostgreSQL {@code bigint} and a MariaDB {@code DECIMAL} of the same value are equal), instants by instant, text by
 * code point — the order each shard is asked for when it limits its rows ({@code COLLATE "C"} on PostgreSQL, a
 * binary cast on MariaDB/MySQL) — and bytes unsigned. A null is larger than every value.
 */
final class ValueOrder {
    static final Comparator<Object> NULLS_LAST = ValueOrder::compare;

    private ValueOrder() {}

    static int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a instanceof byte[] ba && b instanceof byte[] bb) {
            return Arrays.compareUnsigned(ba, bb);
        }
        Object x = comparable(a);
        Object y = comparable(b);
        if (x instanceof BigDecimal dx && y instanceof BigDecimal dy) {
            return dx.compareTo(dy);
        }
        if (x instanceof String sx && y instanceof String sy) {
            return codePoints(sx, sy);
        }
        if (x.getClass() == y.getClass() && x instanceof Comparable<?>) {
            @SuppressWarnings("unchecked")
            Comparable<Object> cx = (Comparable<Object>) x;
            return cx.compareTo(y);
        }
        return codePoints(x.toString(), y.toString());
    }

    /** A value two shards' answers are grouped by: equal values, however each driver typed them, are equal keys. */
    static Object key(Object value) {
        Object comparable = comparable(value);
        if (comparable instanceof BigDecimal decimal) {
            return decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
        }
        return comparable;
    }

    private static Object comparable(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : value.toString();
        }
        if (value instanceof OffsetDateTime dateTime) {
            return dateTime.toInstant();
        }
        if (value instanceof ZonedDateTime dateTime) {
            return dateTime.toInstant();
        }
        if (value instanceof java.sql.Timestamp timestamp) {
            return timestamp.toLocalDateTime();
        }
        if (value instanceof byte[] bytes) {
            return ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length)).asReadOnlyBuffer();
        }
        return value;
    }

    private static int codePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
