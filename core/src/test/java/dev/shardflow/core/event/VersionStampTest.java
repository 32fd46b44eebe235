package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class VersionStampTest {

    @Property(tries = 500)
    void bytesOrderLikeLsnsWithinAnEpoch(@ForAll @LongRange(min = 0, max = 1000) long epoch, @ForAll long a,
            @ForAll long b) {
        VersionStamp x = new VersionStamp(epoch, new PostgresLsn(a));
        VersionStamp y = new VersionStamp(epoch, new PostgresLsn(b));
        assertThat(Integer.signum(Arrays.compareUnsigned(x.toBytes(), y.toBytes())))
                .isEqualTo(Integer.signum(new PostgresLsn(a).compareTo(new PostgresLsn(b))));
    }

    @Property(tries = 500)
    void bytesOrderLikeBinlogPositions(@ForAll @IntRange(min = 1, max = 999_999) int fileA,
            @ForAll @LongRange(min = 4, max = Long.MAX_VALUE) long posA, @ForAll @IntRange(min = 0, max = 5000) int rowA,
            @ForAll @IntRange(min = 1, max = 999_999) int fileB,
            @ForAll @LongRange(min = 4, max = Long.MAX_VALUE) long posB, @ForAll @IntRange(min = 0, max = 5000) int rowB) {
        BinlogPosition a = new BinlogPosition(String.format("mysql-bin.%06d", fileA), posA, rowA);
        BinlogPosition b = new BinlogPosition(String.format("mysql-bin.%06d", fileB), posB, rowB);
        assertThat(Integer.signum(Arrays.compareUnsigned(new VersionStamp(3, a).toBytes(),
                new VersionStamp(3, b).toBytes()))).isEqualTo(Integer.signum(a.compareTo(b)));
    }

    @Test
    void aLaterEpochIsNewerWhateverThePosition() {
        VersionStamp late = new VersionStamp(2, new PostgresLsn(1));
        VersionStamp early = new VersionStamp(1, PostgresLsn.parse("FFFFFFFF/FFFFFFFF"));
        assertThat(late).isGreaterThan(early);
        assertThat(Arrays.compareUnsigned(late.toBytes(), early.toBytes())).isPositive();
        assertThat(late.toBytes()).hasSize(VersionStamp.BYTES);
    }

    @Test
    void gtidsAreRefusedBecauseTheyDoNotOrderAsBytes() {
        assertThatThrownBy(() -> new VersionStamp(0, MariaDbGtid.parse("0-1-5"))).hasMessageContaining("GTID");
    }
}
