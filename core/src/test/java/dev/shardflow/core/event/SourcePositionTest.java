package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SourcePositionTest {

    @Test
    void lsnsCompareAsUnsignedAndPrintLikePostgres() {
        PostgresLsn low = PostgresLsn.parse("0/FFFFFFFF");
        PostgresLsn high = PostgresLsn.parse("1/0");
        assertThat(high.isAfter(low)).isTrue();
        assertThat(high.text()).isEqualTo("1/0");
        assertThat(PostgresLsn.parse("FFFFFFFF/1").isAfter(high)).isTrue();
    }

    @Test
    void binlogFilesCompareByTheirNumberNotAsText() {
        BinlogPosition ninth = new BinlogPosition("mysql-bin.000009", 9_000, 0);
        BinlogPosition tenth = new BinlogPosition("mysql-bin.000010", 4, 0);
        assertThat(tenth.isAfter(ninth)).isTrue();
        assertThat(new BinlogPosition("mysql-bin.000010", 4, 1).isAfter(tenth)).isTrue();
        assertThat(new BinlogPosition("mysql-bin.1000000", 4, 0).isAfter(tenth)).isTrue();
    }

    @Test
    void gtidsCompareWithinOneDomainOnly() {
        assertThat(MariaDbGtid.parse("0-1-43").isAfter(MariaDbGtid.parse("0-2-42"))).isTrue();
        assertThatThrownBy(() -> MariaDbGtid.parse("1-1-1").compareTo(MariaDbGtid.parse("0-1-2")))
                .hasMessageContaining("cannot be ordered");
    }

    @Test
    void positionsOfDifferentKindsDoNotCompare() {
        assertThatThrownBy(() -> PostgresLsn.parse("0/1").compareTo(new BinlogPosition("mysql-bin.000001", 4, 0)))
                .hasMessageContaining("not from the same log");
    }
}
