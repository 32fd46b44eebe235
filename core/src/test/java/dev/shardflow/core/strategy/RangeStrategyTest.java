package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class RangeStrategyTest {
    static RangeStrategy byYear() {
        return RangeStrategy.builder(KeyType.DATE)
                .below("2021-01-01", "y2020")
                .below("2022-01-01", "y2021")
                .below("2023-01-01", "y2022")
                .catchAll("future")
                .build();
    }

    @Test
    void oneShardPerYearWithACatchAllForTheFuture() {
        RangeStrategy years = byYear();
        assertThat(years.ownerOf(LocalDate.of(2019, 5, 1))).isEqualTo("y2020");
        assertThat(years.ownerOf(LocalDate.of(2020, 12, 31))).isEqualTo("y2020");
        assertThat(years.ownerOf(LocalDate.of(2021, 1, 1))).isEqualTo("y2021");
        assertThat(years.ownerOf("2022-06-30")).isEqualTo("y2022");
        assertThat(years.ownerOf(LocalDateTime.of(2023, 1, 1, 0, 0))).isEqualTo("future");
        assertThat(years.ownerOf(Instant.parse("2021-12-31T23:30:00Z"))).isEqualTo("y2021");
        assertThat(years.ownerOf("2021-12-31T20:30:00-05:00")).as("01:30 UTC on the 1st").isEqualTo("y2022");
        assertThat(years.shards()).containsExactly("y2020", "y2021", "y2022", "future");
    }

    @Test
    void numericBoundsCompareAsNumbersNotText() {
        RangeStrategy ids = RangeStrategy.builder(KeyType.NUMBER).below("1000", "small").below("1000000", "medium")
                .build();
        assertThat(ids.ownerOf(999L)).isEqualTo("small");
        assertThat(ids.ownerOf(new BigDecimal("999.99"))).isEqualTo("small");
        assertThat(ids.ownerOf("1000")).isEqualTo("medium");
        assertThat(ids.ownerOf(20_000)).isEqualTo("medium");
        assertThatThrownBy(() -> ids.ownerOf(1_000_000)).hasMessageContaining("no catch-all");
        assertThatThrownBy(() -> ids.ownerOf("ten")).hasMessageContaining("not a number");
    }

    @Test
    void unsortedOrOverlappingBoundsAreRefused() {
        assertThatThrownBy(() -> RangeStrategy.builder(KeyType.DATE).below("2022-01-01", "a").below("2021-01-01", "b")
                .build()).hasMessageContaining("sorted");
        assertThatThrownBy(() -> RangeStrategy.builder(KeyType.NUMBER).below("10", "a").below("10", "b").build())
                .hasMessageContaining("sorted and distinct");
        assertThatThrownBy(() -> RangeStrategy.builder(KeyType.DATE).below("2022-13-01", "a").build())
                .hasMessageContaining("not a date");
    }

    @Test
    void splittingTheCatchAllMovesExactlyTheNewYear() {
        RangeStrategy after = RangeStrategy.builder(KeyType.DATE)
                .below("2021-01-01", "y2020").below("2022-01-01", "y2021").below("2023-01-01", "y2022")
                .below("2024-01-01", "y2023").catchAll("future").build();
        StrategyDiff diff = StrategyDiff.between(byYear(), after);
        assertThat(diff.moves()).containsExactly(new ValueRange("2023-01-01", "2024-01-01", "future", "y2023"));
        assertThat(diff.movedFraction()).isEmpty();
    }

    @Test
    void mergingTwoYearsReportsOneRangePerChange() {
        RangeStrategy after = RangeStrategy.builder(KeyType.DATE)
                .below("2022-01-01", "y2020").below("2023-01-01", "y2022").catchAll("future").build();
        assertThat(StrategyDiff.between(byYear(), after).moves())
                .containsExactly(new ValueRange("2021-01-01", "2022-01-01", "y2021", "y2020"));
    }
}
