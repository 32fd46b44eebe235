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

    private static ChangeEvent view(long fromLsn, long joinedLsn) {
        return new ChangeEvent("shop", "order_user_view", Op.UPDATE, java.util.Map.of("order_id", 1L), null,
                java.util.Map.of("order_id", 1L), 7L, new Source("pg1", new PostgresLsn(fromLsn), null, 0), 1,
                new ChangeEvent.Joined(new Source("pg1", new PostgresLsn(joinedLsn), null, 0), 1));
    }

    @Test
    void aViewRowsVersionIsItsFromRowsStampThenItsJoinedRows() {
        ChangeEvent staleUser = view(200, 100);
        ChangeEvent sameOrderNewerUser = view(200, 150);
        ChangeEvent newerOrderOlderUser = view(300, 50);
        byte[] stale = VersionStamp.rowVersion(staleUser);
        assertThat(stale).hasSize(VersionStamp.VIEW_BYTES);
        assertThat(Arrays.compareUnsigned(VersionStamp.rowVersion(sameOrderNewerUser), stale))
                .as("the joined row's change makes the view row newer").isPositive();
        assertThat(Arrays.compareUnsigned(VersionStamp.rowVersion(newerOrderOlderUser),
                VersionStamp.rowVersion(sameOrderNewerUser))).as("the from row's change decides first").isPositive();
        ChangeEvent read = EventJson.fromBytes(EventJson.toBytes(sameOrderNewerUser));
        assertThat(read).isEqualTo(sameOrderNewerUser);
        assertThat(VersionStamp.rowVersion(new ChangeEvent("shop", "users", Op.UPDATE, java.util.Map.of("id", 1L),
                null, java.util.Map.of("id", 1L), 1L, new Source("pg1", new PostgresLsn(5), null, 0), 1)))
                .hasSize(VersionStamp.BYTES);
    }
}
