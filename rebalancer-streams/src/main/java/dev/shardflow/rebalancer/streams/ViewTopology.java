package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.ViewSpec;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The denormalized views of a keyspace, as the data flows: the owners' rows of each table involved become a table
 * keyed by primary key ({@link OwnedRows}); each view is a foreign-key join of its {@code from} table with its joined
 * table, so a change to either side updates the view row; the view's changes go to {@code <prefix>.view.<name>},
 * keyed by view and key, for the writers of the view's target. A view change carries the versions of both its rows
 * — its {@code from} row's as its own source and epoch, the joined row's as {@code joined} — so that a change of
 * either row is newer to the writers' guard ({@link VersionStamp#rowVersion}); it is a delete when either row is
 * deleted.
 *
 * <p>An in-place view ({@code orders.username}) is the same join, but its output is a patch of the {@code from} row
 * — only when the row's columns differ from the joined row's — sent to the apply topic of the row's owner
 * ({@link PatchRouter}), whose writer sets those columns under a version guard of their own.
 */
public final class ViewTopology {

    private ViewTopology() {}

    public static Topology build(dev.shardflow.core.topology.Topology keyspace, RouteCounts counts) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RekeyTopology.STATE_STORE),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(), TopicNames.of(keyspace).topology(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("topology-source"),
                RekeyTopology.topologyLoader());
        Map<String, KTable<String, ChangeEvent>> rows = new HashMap<>();
        for (ViewSpec view : keyspace.views()) {
            KTable<String, ChangeEvent> from = rows.computeIfAbsent(view.from(), t -> rows(builder, keyspace, t, counts));
            KTable<String, ChangeEvent> joined = rows.computeIfAbsent(view.joinTable(),
                    t -> rows(builder, keyspace, t, counts));
            String joinKey = keyspace.table(view.joinTable()).orElseThrow().primaryKey().get(0);
            TableSpec fromTable = keyspace.table(view.from()).orElseThrow();
            if (view.inPlace()) {
                from.join(joined, row -> foreignKey(row, view.joinColumn(), joinKey),
                                (left, right) -> patch(view, left, right), TableJoined.as(view.name() + "-join"))
                        .toStream(Named.as(view.name() + "-patches"))
                        .process(() -> new PatchRouter(keyspace, counts), Named.as(view.name() + "-route"))
                        .to(RekeyTopology.applyTopic(TopicNames.of(keyspace)), Produced.<byte[], byte[]>with(
                                Serdes.ByteArray(), Serdes.ByteArray()).withName(view.name() + "-sink"));
                continue;
            }
            from.join(joined, row -> foreignKey(row, view.joinColumn(), joinKey),
                            (left, right) -> viewChange(view, fromTable, left, right),
                            TableJoined.as(view.name() + "-join")) // not stored here: the view topic is its store
                    .toStream(Named.as(view.name() + "-changes"))
                    .filter((key, change) -> change != null, Named.as(view.name() + "-not-null"))
                    .map((key, change) -> KeyValue.pair(TableRowKey.of(change).toBytes(), EventJson.toBytes(change)),
                            Named.as(view.name() + "-keyed"))
                    .to(TopicNames.of(keyspace).view(view.name()), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                            .withName(view.name() + "-sink"));
        }
        return builder.build();
    }

    private static KTable<String, ChangeEvent> rows(StreamsBuilder builder,
            dev.shardflow.core.topology.Topology keyspace, String table, RouteCounts counts) {
        KStream<String, ChangeEvent> owned = builder.stream(TopicNames.of(keyspace).cdc(table),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(table + "-changes"))
                .process(() -> new OwnedRows(keyspace, counts), Named.as(table + "-owned"));
        // what does not belong to the keyspace goes to the dead-letter topic as it was read, with its reason
        owned.filter((key, change) -> OwnedRows.REJECTED.equals(key), Named.as(table + "-rejected"))
                .process(DeadLetterRecord::new, Named.as(table + "-dead-letter"))
                .to(TopicNames.of(keyspace).dlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName(table + "-dlq-sink"));
        return owned.filterNot((key, change) -> OwnedRows.REJECTED.equals(key), Named.as(table + "-accepted"))
                .toTable(Named.as(table + "-rows"), Materialized.<String, ChangeEvent, KeyValueStore<Bytes, byte[]>>as(
                        table + "-rows").withKeySerde(Serdes.String()).withValueSerde(new ChangeEventSerde()));
    }

    /** A rejected record of {@link OwnedRows} as it was read: its original key and value, and the reason headers. */
    private static final class DeadLetterRecord implements Processor<String, ChangeEvent, byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, ChangeEvent> record) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            Header key = headers.lastHeader(OwnedRows.ORIGINAL_KEY);
            Header value = headers.lastHeader(OwnedRows.ORIGINAL_VALUE);
            headers.remove(OwnedRows.ORIGINAL_KEY);
            headers.remove(OwnedRows.ORIGINAL_VALUE);
            context.forward(new Record<>(key == null ? null : key.value(), value == null ? null : value.value(),
                    record.timestamp(), headers));
        }
    }

    private static String foreignKey(ChangeEvent row, String column, String joinKey) {
        Map<String, Object> image = row.after() != null ? row.after() : row.before();
        Object value = image == null ? null : image.get(column);
        return value == null ? null : OwnedRows.keyOf(Map.of(joinKey, value));
    }

    static ChangeEvent viewChange(ViewSpec view, TableSpec fromTable, ChangeEvent from, ChangeEvent joined) {
        ChangeEvent.Joined versionOfJoined = new ChangeEvent.Joined(joined.source(), joined.epoch());
        Map<String, Object> key = new LinkedHashMap<>();
        for (String column : fromTable.primaryKey()) {
            key.put(view.columnOf(fromTable.name(), column), from.key().get(column));
        }
        if (from.op() == Op.DELETE || joined.op() == Op.DELETE) {
            return new ChangeEvent(from.keyspace(), view.name(), Op.DELETE, key, null, null, from.shardKey(),
                    from.source(), from.epoch(), versionOfJoined);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        view.columns().forEach((column, source) -> {
            int dot = source.indexOf('.');
            ChangeEvent side = source.substring(0, dot).equals(view.from()) ? from : joined;
            row.put(column, side.after().get(source.substring(dot + 1)));
        });
        return new ChangeEvent(from.keyspace(), view.name(), Op.UPDATE, key, null, row, from.shardKey(),
                from.source(), from.epoch(), versionOfJoined);
    }

    /**
     * The patch that makes a row's in-place columns equal to the joined row's, versioned by the joined row; null
     * when they are equal already (so the patched row, captured again, ends the exchange) or either row is deleted.
     */
    static ChangeEvent patch(ViewSpec view, ChangeEvent from, ChangeEvent joined) {
        if (from.op() == Op.DELETE || joined.op() == Op.DELETE) {
            return null;
        }
        Map<String, Object> set = new LinkedHashMap<>();
        boolean differs = false;
        for (Map.Entry<String, String> column : view.columns().entrySet()) {
            Object value = joined.after().get(column.getValue().substring(column.getValue().indexOf('.') + 1));
            set.put(column.getKey(), value);
            differs |= !sameValue(from.after().get(column.getKey()), value);
        }
        return differs ? new ChangeEvent(from.keyspace(), from.table(), Op.PATCH, from.key(), null, set,
                from.shardKey(), joined.source(), joined.epoch()) : null;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
        }
        return Objects.equals(a, b);
    }
}
