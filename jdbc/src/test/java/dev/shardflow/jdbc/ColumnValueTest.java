package dev.shardflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.jdbc.TableMetadata.Column;
import java.math.BigDecimal;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ColumnValueTest {

    private static ColumnValue column(int jdbcType, String typeName) {
        return ColumnValue.of(SqlDialect.POSTGRESQL, new Column("c", jdbcType, typeName, true));
    }

    @Test
    void integersStayExactAndDecimalsWithoutAFractionBecomeIntegers() {
        assertThat(column(Types.BIGINT, "int8").convert(42L)).isEqualTo(42L);
        assertThat(column(Types.BIGINT, "int8").convert(new BigDecimal("7.000"))).isEqualTo(7L);
        assertThat(column(Types.BIGINT, "int8").convert("18446744073709551615"))
                .isEqualTo(new BigDecimal("18446744073709551615"));
    }

    @Test
    void isoTextBecomesDatesAndTimestamps() {
        assertThat(column(Types.DATE, "date").convert("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(column(Types.TIMESTAMP, "timestamp").convert("2024-02-29T10:15:30.123"))
                .isEqualTo(LocalDateTime.of(2024, 2, 29, 10, 15, 30, 123_000_000));
        assertThat(column(Types.TIMESTAMP, "timestamp").convert("2024-02-29T10:15:30+02:00"))
                .isEqualTo(LocalDateTime.of(2024, 2, 29, 8, 15, 30));
        assertThat(column(Types.TIMESTAMP, "timestamptz").convert("2024-02-29T10:15:30Z"))
                .isEqualTo(OffsetDateTime.of(2024, 2, 29, 10, 15, 30, 0, ZoneOffset.UTC));
    }

    @Test
    void base64TextBecomesBytes() {
        assertThat((byte[]) column(Types.BINARY, "bytea").convert("AQID")).containsExactly(1, 2, 3);
    }

    @Test
    void aValueThatDoesNotFitItsColumnIsRefusedNamingTheColumn() {
        assertThatThrownBy(() -> column(Types.BIGINT, "int8").convert("abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("column c (int8): 'abc' does not convert");
        assertThatThrownBy(() -> column(Types.BIGINT, "int8").convert(new BigDecimal("1.5")))
                .hasMessageContaining("column c (int8)");
        assertThatThrownBy(() -> column(Types.DATE, "date").convert("yesterday")).hasMessageContaining("column c (date)");
    }

    @Test
    void numbersWrittenToTextColumnsUseTheCanonicalText() {
        assertThat(column(Types.VARCHAR, "varchar").convert(new BigDecimal("12.50"))).isEqualTo("12.5");
        assertThat(column(Types.VARCHAR, "varchar").convert("x")).isEqualTo("x");
    }
}
