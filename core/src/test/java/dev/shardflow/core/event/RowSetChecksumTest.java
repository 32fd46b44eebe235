package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowSetChecksumTest {
    private static final Map<String, Object> A = Map.of("id", 1L, "total", new BigDecimal("10.50"));
    private static final Map<String, Object> B = Map.of("id", 2L, "total", new BigDecimal("3"));
    private static final Map<String, Object> C = Map.of("id", 3L, "total", new BigDecimal("7.25"));

    @Test
    void theOrderOfRowsDoesNotMatterAndChunksAddUpToTheWhole() {
        RowSetChecksum whole = RowSetChecksum.of(List.of(A, B, C));
        assertThat(RowSetChecksum.of(List.of(C, A, B))).isEqualTo(whole);
        assertThat(RowSetChecksum.of(List.of(A)).plus(RowSetChecksum.of(List.of(B, C)))).isEqualTo(whole);
        assertThat(whole.rows()).isEqualTo(3);
    }

    @Test
    void aChangedMissingOrExtraRowChangesTheChecksum() {
        RowSetChecksum whole = RowSetChecksum.of(List.of(A, B, C));
        assertThat(RowSetChecksum.of(List.of(A, B, Map.of("id", 3L, "total", new BigDecimal("7.26")))))
                .isNotEqualTo(whole);
        assertThat(RowSetChecksum.of(List.of(A, B))).isNotEqualTo(whole);
        assertThat(RowSetChecksum.of(List.of(A, B, C, C))).isNotEqualTo(whole);
    }

    @Test
    void aDecimalOfAnotherScaleIsTheSameRow() {
        assertThat(RowSetChecksum.of(List.of(Map.of("id", 1L, "total", new BigDecimal("10.5")))))
                .isEqualTo(RowSetChecksum.of(List.of(A)));
    }
}
