package dev.shardflow.capture.debezium;

import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.event.BinlogPosition;
import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourcePosition;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns a Debezium change record (Connect envelope) of one source shard into a {@link ChangeEvent}: the op, the
 * key, the before and after images with values in their canonical JSON form (exact decimals; dates, times and
 * timestamps as ISO-8601 text; bytes as Base64), the shard-key value from the topology, and the source position.
 * Heartbeats and schema-change records are not row changes and give nothing.
 */
public final class RecordConverter {
    private final Topology topology;
    private final String shard;

    public RecordConverter(Topology topology, String shard) {
        this.topology = topology;
        this.shard = shard;
    }

    public Optional<ChangeEvent> convert(SourceRecord record) {
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return Optional.empty(); // heartbeat, schema change or tombstone
        }
        Struct sourceInfo = envelope.getStruct("source");
        String table = sourceInfo.getString("table");
        if (ControlTables.HEARTBEAT.equals(table)) {
            return Optional.empty(); // only there to move the slot; its offset is committed like any other
        }
        Op op = Op.fromCode(envelope.getString("op"));
        Map<String, Object> before = row(envelope.getStruct("before"));
        Map<String, Object> after = row(envelope.getStruct("after"));
        Long tsMs = sourceInfo.getInt64("ts_ms");
        Source source = new Source(shard, position(sourceInfo, op == Op.READ), txId(sourceInfo),
                tsMs == null ? 0 : tsMs);
        if (ControlTables.FENCE.equals(table)) {
            Map<String, Object> image = after != null ? after : before;
            return Optional.of(new ChangeEvent(topology.keyspace(), table, op, Map.of("id", image.get("id")), before,
                    after, null, source, topology.epoch()));
        }
        TableSpec spec = topology.table(table).orElseThrow(() -> new IllegalStateException("shard " + shard
                + ": Debezium delivered a change of table " + table + ", which the topology does not list"));
        Map<String, Object> key = record.key() instanceof Struct keyStruct ? row(keyStruct)
                : primaryKey(spec, after != null ? after : before);
        Object shardKey = null;
        if (spec.placement() == TableSpec.Placement.SHARD_KEY) {
            Map<String, Object> image = after != null ? after : before;
            shardKey = image == null ? null : image.get(spec.shardKeyColumn());
        }
        return Optional.of(new ChangeEvent(topology.keyspace(), table, op, key, before, after, shardKey, source,
                topology.epoch()));
    }

    private static Map<String, Object> primaryKey(TableSpec spec, Map<String, Object> image) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (String column : spec.primaryKey()) {
            key.put(column, image.get(column));
        }
        return key;
    }

    /**
     * The position of a change in its source's log. A snapshot row carries the position the snapshot started at,
     * which is exactly where the first change after it begins (the end of the binlog at that moment; the slot's
     * consistent point): it is placed just before it, so that this first change is newer than the snapshot's image
     * of the same row and the version guard lets it through. No change of the log sits in between.
     */
    static SourcePosition position(Struct source, boolean snapshot) {
        Schema schema = source.schema();
        if (schema.field("lsn") != null) {
            long lsn = source.getInt64("lsn");
            return new PostgresLsn(snapshot && lsn > 0 ? lsn - 1 : lsn);
        }
        String file = source.getString("file");
        Long pos = source.getInt64("pos");
        Integer row = source.getInt32("row");
        long at = pos == null ? 0 : pos;
        return snapshot ? new BinlogPosition(file, Math.max(0, at - 1), 0)
                : new BinlogPosition(file, at, row == null ? 0 : row);
    }

    private static String txId(Struct source) {
        for (String name : new String[] {"txId", "gtid"}) {
            Field field = source.schema().field(name);
            if (field != null && source.get(field) != null) {
                return source.get(field).toString();
            }
        }
        return null;
    }

    static Map<String, Object> row(Struct struct) {
        if (struct == null) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Field field : struct.schema().fields()) {
            row.put(field.name(), value(field.schema(), struct.get(field)));
        }
        return row;
    }

    /** One column value in its canonical JSON form, by its Connect type and Debezium's semantic type name. */
    static Object value(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name() == null ? "" : schema.name();
        switch (name) {
            case "org.apache.kafka.connect.data.Decimal":
                return value;
            case "io.debezium.data.VariableScaleDecimal": {
                Struct decimal = (Struct) value;
                return new BigDecimal(new BigInteger(decimal.getBytes("value")), decimal.getInt32("scale"));
            }
            case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date":
                return value instanceof Integer days ? LocalDate.ofEpochDay(days).toString()
                        : CanonicalRow.text(((java.util.Date) value).toInstant().atZone(ZoneOffset.UTC).toLocalDate());
            case "io.debezium.time.Timestamp":
                return CanonicalRow.text(LocalDateTime.ofInstant(Instant.ofEpochMilli((Long) value), ZoneOffset.UTC));
            case "io.debezium.time.MicroTimestamp":
                return CanonicalRow.text(LocalDateTime.ofInstant(micros((Long) value), ZoneOffset.UTC));
            case "io.debezium.time.NanoTimestamp":
                return CanonicalRow.text(LocalDateTime.ofInstant(nanos((Long) value), ZoneOffset.UTC));
            case "io.debezium.time.ZonedTimestamp":
                // an instant stays one on the wire (UTC, with its Z); compares equal to its UTC wall time
                return CanonicalRow.text(OffsetDateTime.parse((String) value)) + "Z";
            case "io.debezium.time.Time":
                return CanonicalRow.text(LocalTime.ofNanoOfDay(((Integer) value) * 1_000_000L));
            case "io.debezium.time.MicroTime":
                return CanonicalRow.text(LocalTime.ofNanoOfDay((Long) value * 1_000L));
            case "io.debezium.time.NanoTime":
                return CanonicalRow.text(LocalTime.ofNanoOfDay((Long) value));
            case "io.debezium.time.ZonedTime":
                return CanonicalRow.text(OffsetTime.parse((String) value).withOffsetSameInstant(ZoneOffset.UTC)
                        .toLocalTime()) + "Z";
            default:
                break;
        }
        return switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> ((Number) value).longValue();
            case FLOAT32, FLOAT64, BOOLEAN, STRING -> value;
            case BYTES -> Base64.getEncoder().encodeToString(value instanceof ByteBuffer buffer
                    ? toArray(buffer) : (byte[]) value);
            case STRUCT -> row((Struct) value);
            default -> value.toString();
        };
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static Instant nanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
