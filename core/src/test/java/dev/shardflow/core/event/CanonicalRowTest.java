package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class CanonicalRowTest {

    @Test
    void theSameRowFromJdbcAndFromAChangeEventHashesAlike() {
        Map<String, Object> fromJdbc = new LinkedHashMap<>();
        fromJdbc.put("id", 7);                                           // INT
        fromJdbc.put("total_amount", new BigDecimal("19.90"));           // DECIMAL(10,2)
        fromJdbc.put("created_at", Timestamp.valueOf("2025-01-01 10:00:00.5"));
        fromJdbc.put("order_date", java.sql.Date.valueOf("2024-03-01"));
        fromJdbc.put("active", true);                                     // PostgreSQL boolean
        fromJdbc.put("note", null);
        Map<String, Object> fromEvent = new HashMap<>();                  // other order, JSON-shaped values
        fromEvent.put("note", null);
        fromEvent.put("active", 1L);                                      // MariaDB TINYINT(1)
        fromEvent.put("order_date", "2024-03-01");
        fromEvent.put("created_at", "2025-01-01T10:00:00.5");
        fromEvent.put("total_amount", new BigDecimal("19.9"));
        fromEvent.put("id", 7L);
        assertThat(CanonicalRow.encode(fromEvent)).isEqualTo(CanonicalRow.encode(fromJdbc));
        assertThat(CanonicalRow.hash(fromEvent)).isEqualTo(CanonicalRow.hash(fromJdbc));
    }

    @Test
    void valuesNormalizeToOneText() {
        assertThat(CanonicalRow.text(new BigDecimal("0.00"))).isEqualTo("0");
        assertThat(CanonicalRow.text(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(CanonicalRow.text(2.50d)).isEqualTo("2.5");
        assertThat(CanonicalRow.text(LocalDateTime.of(2024, 1, 5, 10, 0))).isEqualTo("2024-01-05T10:00:00");
        assertThat(CanonicalRow.text(Instant.parse("2024-01-05T10:00:00.120Z"))).isEqualTo("2024-01-05T10:00:00.12");
        assertThat(CanonicalRow.text(OffsetDateTime.parse("2024-01-05T12:00:00+02:00"))).isEqualTo("2024-01-05T10:00:00");
        // the chapter's created_at TIMESTAMP: an instant on MariaDB, a wall time on PostgreSQL, the same moment
        assertThat(CanonicalRow.text(Instant.parse("2024-11-24T01:38:35Z")))
                .isEqualTo(CanonicalRow.text(LocalDateTime.parse("2024-11-24T01:38:35")));
        assertThat(CanonicalRow.text(LocalDate.of(2024, 1, 5))).isEqualTo("2024-01-05");
        assertThat(CanonicalRow.text(new byte[] {1, 2, 3})).isEqualTo("AQID");
    }

    @Test
    void nullEmptyAndDifferentColumnsAreDistinct() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("a", null);
        assertThat(CanonicalRow.hash(withNull)).isNotEqualTo(CanonicalRow.hash(Map.of("a", "")));
        assertThat(CanonicalRow.hash(Map.of("a", "1"))).isNotEqualTo(CanonicalRow.hash(Map.of("a", 1L)));
        assertThat(CanonicalRow.hash(Map.of("ab", "c"))).isNotEqualTo(CanonicalRow.hash(Map.of("a", "bc")));
        assertThat(CanonicalRow.hash(Map.of("a", "b", "c", "d"))).isNotEqualTo(CanonicalRow.hash(Map.of("a", "bcd")));
    }

    @Property(tries = 300)
    void columnOrderNeverChangesTheEncoding(@ForAll Map<String, String> row) {
        Map<String, Object> reversed = new LinkedHashMap<>();
        java.util.List<String> keys = new java.util.ArrayList<>(row.keySet());
        java.util.Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, row.get(k)));
        assertThat(CanonicalRow.encode(reversed)).isEqualTo(CanonicalRow.encode(row));
    }

    @Property(tries = 300)
    void decimalsEqualInValueEncodeAlike(@ForAll BigDecimal value) {
        assertThat(CanonicalRow.text(value.setScale(Math.max(value.scale(), 0) + 3)))
                .isEqualTo(CanonicalRow.text(value));
    }

    /**
     * MariaDB {@code TIMESTAMP} is read as an instant and PostgreSQL {@code timestamp} as a wall time, and a writer
     * stores one as the other's UTC wall time: every such pair encodes alike, whatever the fraction.
     */
    @Property(tries = 500)
    void anInstantAndItsUtcWallTimeEncodeAlike(@ForAll @net.jqwik.api.constraints.LongRange(min = 0,
            max = 2_145_916_800L) long seconds, @ForAll @net.jqwik.api.constraints.IntRange(min = 0,
            max = 999_999) int micros) {
        Instant instant = Instant.ofEpochSecond(seconds, micros * 1_000L);
        LocalDateTime wall = LocalDateTime.ofInstant(instant, java.time.ZoneOffset.UTC);
        assertThat(CanonicalRow.encode(Map.of("at", instant))).isEqualTo(CanonicalRow.encode(Map.of("at", wall)));
        assertThat(CanonicalRow.encode(Map.of("at", instant.atOffset(java.time.ZoneOffset.ofHours(2)))))
                .isEqualTo(CanonicalRow.encode(Map.of("at", wall)));
    }

    @Property(tries = 300)
    void differentMomentsNeverEncodeAlike(@ForAll @net.jqwik.api.constraints.LongRange(min = 0,
            max = 2_145_916_800L) long seconds, @ForAll @net.jqwik.api.constraints.IntRange(min = 1,
            max = 999_999) int micros) {
        Instant instant = Instant.ofEpochSecond(seconds);
        assertThat(CanonicalRow.text(instant.plusNanos(micros * 1_000L))).isNotEqualTo(CanonicalRow.text(instant));
    }
}
