package dev.shardflow.core.strategy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The kind of values an ordered strategy compares, and how a shard-key value of any Java type becomes one: numbers
 * as {@link BigDecimal}, dates as {@link LocalDate} (a timestamp counts by its UTC date), text as {@link String}.
 */
public enum KeyType {
    NUMBER,
    DATE,
    TEXT;

    public static KeyType fromConfigName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown key type '" + name + "'; use number, date or text");
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The comparable form of {@code value}; a clear error when it cannot be one. */
    public Comparable<?> coerce(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("shard key value is null");
        }
        try {
            return switch (this) {
                case NUMBER -> number(value);
                case DATE -> date(value);
                case TEXT -> value.toString();
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a " + configName() + ": " + e.getMessage(), e);
        }
    }

    private static BigDecimal number(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Number number) {
            return new BigDecimal(number.toString());
        }
        return new BigDecimal(value.toString().trim());
    }

    private static LocalDate date(Object value) {
        if (value instanceof LocalDate date) {
            return date;
        }
        if (value instanceof LocalDateTime dateTime) {
            return dateTime.toLocalDate();
        }
        if (value instanceof OffsetDateTime dateTime) {
            return dateTime.atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
        }
        if (value instanceof Instant instant) {
            return instant.atZone(ZoneOffset.UTC).toLocalDate();
        }
        // java.sql.Date (a java.util.Date without a time) prints as an ISO date; other Dates are instants.
        if (value instanceof java.util.Date date && !date.getClass().getName().equals("java.sql.Date")) {
            return date.toInstant().atZone(ZoneOffset.UTC).toLocalDate();
        }
        String text = value.toString().trim();
        if (text.length() <= 10) {
            return LocalDate.parse(text);
        }
        try {
            return OffsetDateTime.parse(text).atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
        } catch (DateTimeParseException notOffset) {
            return LocalDateTime.parse(text.replace(' ', 'T')).toLocalDate();
        }
    }
}
