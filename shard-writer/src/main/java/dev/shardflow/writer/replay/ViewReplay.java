package dev.shardflow.writer.replay;

import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.event.VersionStamp;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.ViewSpec;
import dev.shardflow.jdbc.ShardPools;
import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.jdbc.TableMetadata;
import dev.shardflow.jdbc.Throttle;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.writer.apply.BatchApplier;
import dev.shardflow.writer.apply.Change;
import dev.shardflow.writer.apply.Origin;
import dev.shardflow.writer.apply.Rejected;
import dev.shardflow.writer.jdbc.GuardedSql;
import dev.shardflow.writer.jdbc.TargetSchema;
import dev.shardflow.writer.jdbc.TargetTable;
import dev.shardflow.writer.kafka.DeadLetters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a view's table (such as {@code order_user_view}) in its target database from the compacted view topic,
 * which holds the latest row of every view key: like {@link ShardReplay}, the last change of each row is applied
 * under the version guard and the table is then checked against the topic; the topic's end when the replay began
 * takes the place of a watermark, since the rebalancer writes it in transactions and no capture is involved.
 */
public final class ViewReplay {
    private static final Logger log = LoggerFactory.getLogger(ViewReplay.class);

    private final Topology topology;
    private final ViewSpec view;
    private final TableSpec table;
    private final ShardSpec target;
    private final KafkaConnection kafka;
    private final long rowsPerSecond;

    /**
     * @param target the database that holds the view's table (a shard of the topology, or another database
     *     declared like one)
     */
    public ViewReplay(Topology topology, String view, ShardSpec target, KafkaConnection kafka, long rowsPerSecond) {
        this.topology = topology;
        this.view = topology.views().stream().filter(v -> v.name().equals(view) && !v.inPlace()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("keyspace " + topology.keyspace() + " has no view "
                        + view + " with a table of its own; its views: " + topology.views().stream()
                        .map(ViewSpec::name).toList()));
        TableSpec from = topology.table(this.view.from()).orElseThrow();
        this.table = TableSpec.reference(view, from.primaryKey().stream()
                .map(column -> this.view.columnOf(from.name(), column)).toList());
        this.target = target;
        this.kafka = kafka;
        this.rowsPerSecond = rowsPerSecond;
    }

    public ReplayReport run(ShardReplay.Listener progress) throws InterruptedException {
        long started = System.nanoTime();
        TopicNames names = TopicNames.of(topology);
        SqlDialect dialect = SqlDialect.of(target.engine());
        ShardHistory history = new ShardHistory(target, topology);
        String topic = names.view(view.name());
        long[] counts = new long[3]; // read, superseded, deadLettered by the reader
        try (HikariDataSource pool = ShardPools.open(target, target.password().resolve(), ReplayWriter.POOL);
                LogReader reader = new LogReader(kafka, topic, topology, "shardflow-replay-view-" + view.name(),
                        2_000, LogReader.Reading.FULL)) {
            try (Connection connection = pool.getConnection()) {
                connection.setAutoCommit(false);
                new TargetSchema(dialect).prepare(connection, List.of(view.name()), java.util.Set.of(view.name()), Map.of(),
                        true);
                TargetTable targetTable = TargetTable.of(dialect, TableMetadata.read(connection, view.name()),
                        GuardedSql.Unversioned.NEWER);
                history.add(targetTable);
                connection.commit();
                connection.setAutoCommit(true);
                try (PreparedStatement stamp = connection.prepareStatement(targetTable.sql().stampUnversioned())) {
                    stamp.setBytes(1, new byte[VersionStamp.VIEW_BYTES]);
                    stamp.executeUpdate();
                }
            } catch (IllegalArgumentException e) {
                throw new ReplayException("view table " + view.name() + " cannot be used on " + target.id() + " ("
                        + e.getMessage() + "); create it before replaying", e);
            }
            RowLedger ledger = history.ledger(view.name());
            reader.seek(ReplayStart.beginning());
            reader.markEnds();
            reader.readToLastMarker((record, event, unreadable) -> {
                counts[0]++;
                if (event != null && view.name().equals(event.table())) {
                    ledger.changedAt(ShardHistory.key(table, event), record.offset());
                }
            });
            long records = counts[0];
            log.info("replay of view {} into {}: {} records in {}", view.name(), target.id(), records, topic);
            reader.rewind();
            try (ReplayWriter writer = new ReplayWriter("view " + view.name() + " on " + target.id(),
                    new BatchApplier(pool, dialect, 500, null, GuardedSql.Unversioned.NEWER),
                    new DeadLetters(kafka, names.dlq(), "replay-view-" + view.name(),
                            topology.maxMessageBytes()), 2_000,
                    new Throttle(rowsPerSecond))) {
                reader.readToLastMarker((record, event, unreadable) -> {
                    Origin origin = new Origin(record.topic(), record.partition(), record.offset(), record.key(),
                            record.value(), null);
                    if (unreadable != null) {
                        writer.deadLetter(new Rejected(origin, null, unreadable, new IllegalArgumentException(
                                unreadable)));
                        return;
                    }
                    if (event == null || !view.name().equals(event.table())) {
                        return;
                    }
                    String key = ShardHistory.key(table, event);
                    if (!ledger.isLast(key, record.offset())) {
                        counts[1]++;
                        return;
                    }
                    try {
                        Change change = new Change(event, VersionStamp.rowVersion(event), Change.rowKey(event),
                                origin);
                        ledger.expect(key, history.image(view.name(), event));
                        writer.add(change);
                    } catch (IllegalArgumentException e) {
                        writer.deadLetter(new Rejected(origin, event, "replay of view " + view.name() + ": "
                                + e.getMessage(), e));
                    }
                    progress.progress(new ReplayProgress(target.id(), "copy", view.name(), counts[0] - records,
                            records, writer.applied(), 0));
                });
                writer.drain();
                ledger.copied();
                ReplayCheck.Result check = new ReplayCheck(target, topology, List.of(table), pool,
                        history.ledgers(), 3).run(() -> {
                            reader.markEnds();
                            reader.readToLastMarker((record, event, unreadable) -> {
                                if (event != null && view.name().equals(event.table())) {
                                    ledger.expect(ShardHistory.key(table, event), history.image(view.name(), event));
                                }
                            });
                        });
                long elapsed = (System.nanoTime() - started) / 1_000_000;
                ReplayReport report = new ReplayReport(target.id(), "view " + view.name() + " from the beginning",
                        records, writer.applied(), 0, counts[1], writer.deadLettered(), check.rowsChecked(),
                        check.mismatches(), check.sample(), check.newerThanLog(), 0, elapsed, elapsed);
                log.info("replay of view {} into {}: {} rows applied, check: {} rows compared, {} mismatch(es){}",
                        view.name(), target.id(), writer.applied(), check.rowsChecked(), check.mismatches(),
                        check.sample().isEmpty() ? "" : " " + check.sample());
                return report;
            }
        } catch (SQLException e) {
            throw new ReplayException("replay of view " + view.name() + " into " + target.id() + ": "
                    + e.getMessage() + "; run it again once the database is reachable", e);
        }
    }
}
