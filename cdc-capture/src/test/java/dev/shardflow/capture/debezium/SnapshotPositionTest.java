package dev.shardflow.capture.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.event.BinlogPosition;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.VersionStamp;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/**
 * A snapshot row and the first change after the snapshot carry the same position in Debezium's source info (the
 * binlog's end when the snapshot began; the slot's consistent point). Unless the snapshot row sorts before, the
 * version guard takes that first change for a repeat and drops it on every target.
 */
class SnapshotPositionTest {
    private static final Schema BINLOG = SchemaBuilder.struct().field("file", Schema.STRING_SCHEMA)
            .field("pos", Schema.INT64_SCHEMA).field("row", Schema.OPTIONAL_INT32_SCHEMA).build();
    private static final Schema WAL = SchemaBuilder.struct().field("lsn", Schema.INT64_SCHEMA).build();

    @Test
    void theFirstBinlogChangeAfterASnapshotIsNewerThanTheSnapshotsRows() {
        Struct at = new Struct(BINLOG).put("file", "mysql-bin.000003").put("pos", 1_234L).put("row", 0);
        VersionStamp snapshot = new VersionStamp(1, RecordConverter.position(at, true));
        VersionStamp firstChange = new VersionStamp(1, RecordConverter.position(at, false));
        assertThat(snapshot).isLessThan(firstChange);
        assertThat(RecordConverter.position(at, false)).isEqualTo(new BinlogPosition("mysql-bin.000003", 1_234, 0));
        Struct earlier = new Struct(BINLOG).put("file", "mysql-bin.000003").put("pos", 1_100L).put("row", 3);
        assertThat(new VersionStamp(1, RecordConverter.position(earlier, false))).isLessThan(snapshot);
    }

    @Test
    void theFirstWalChangeAfterASnapshotIsNewerThanTheSnapshotsRows() {
        Struct at = new Struct(WAL).put("lsn", 0x1D5F628L);
        assertThat(new VersionStamp(1, RecordConverter.position(at, true)))
                .isLessThan(new VersionStamp(1, RecordConverter.position(at, false)));
        assertThat(RecordConverter.position(at, false)).isEqualTo(new PostgresLsn(0x1D5F628L));
    }
}
