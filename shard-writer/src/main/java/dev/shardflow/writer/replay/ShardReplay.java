package dev.shardflow.writer.replay;

import com.zaxxer.hikari.HikariDataSource;
import dev.shardflow.core.event.ChangeEvent;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds one shard from the compacted change topics, into an empty or a restored database whose tables exist: the
 * rows the shard owns at the epoch in force, from the shard's own history (its rows as capture saw them, whichever
 * shard they came from), applied through the writer's version guard, so running it again changes nothing. The
 * application may write to the shard meanwhile.
 *
 * <ol>
 *   <li>rows already on the shard (a restored backup) get the lowest version, so the log's changes replace them; a
 *       row without a version is from then on one the application wrote during the replay, and the replay leaves it
 *       alone ({@link GuardedSql.Unversioned#NEWER});
 *   <li><b>index</b>: a watermark is written on the shard, and every change topic is read from the start to it; per
 *       row the offset of its last change is kept (children are placed by their parent's shard key). Changes are
 *       read for their envelope and routing columns only ({@link LogReader.Reading#ENVELOPE});
 *   <li><b>copy</b>: the topics are read again to the watermark, and only the last change of each row is applied,
 *       so a row is written once and an application write made after it is never undone; only that change is
 *       decoded in full;
 *   <li><b>check</b>: every row of the shard is compared with the image the log last has ({@link ReplayCheck}),
 *       following the log past the watermark for rows the application changed since.
 * </ol>
 *
 * Changes that cannot be applied go to the dead-letter topic with the reason.
 */
public final class ShardReplay {
    private static final Logger log = LoggerFactory.getLogger(ShardReplay.class);

    private final ReplayOptions options;
    private final ShardSpec shard;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final ShardHistory history;
    private final Throttle throttle;
    private ReplayWriter writer;
    private ReplayTally tally;
    private ReplayWatermarks watermarks;

    /** Gets the progress about every second. */
    @FunctionalInterface
    public interface Listener {
        void progress(ReplayProgress progress);
    }

    public ShardReplay(ReplayOptions options) {
        this.options = options;
        this.shard = options.topology().shard(options.shard()).orElseThrow(() -> new IllegalArgumentException(
                "shard " + options.shard() + " is not declared in the topology"));
        this.throttle = new Throttle(options.rowsPerSecond());
        this.history = new ShardHistory(shard, options.topology());
    }

    /** Runs the replay once. */
    public ReplayReport run(Listener progress) throws InterruptedException {
        tally = new ReplayTally(run, shard.id(), progress, () -> writer == null ? 0 : writer.applied());
        Topology topology = options.topology();
        TopicNames names = TopicNames.of(topology);
        List<TableSpec> tables = ordered(topology);
        log.info("replay {} of {}: {} {} ({}), owned rows at epoch {}, at most {} changes/s", run, shard.id(),
                tables.stream().map(TableSpec::name).toList(), options.start(), names.prefix(), topology.epoch(),
                options.rowsPerSecond() == 0 ? "unlimited" : options.rowsPerSecond());
        SqlDialect dialect = SqlDialect.of(shard.engine());
        Map<String, LogReader> readers = new LinkedHashMap<>();
        try (HikariDataSource pool = ShardPools.open(shard, shard.password().resolve(), ReplayWriter.POOL)) {
            watermarks = new ReplayWatermarks(run, shard, options.topology().epoch(), options.markerTimeout(), pool,
                    tally);
            prepare(pool, dialect, tables);
            stampUnversioned(pool, tables);
            writer = new ReplayWriter(shard.id(), new BatchApplier(pool, dialect, 500, null,
                    GuardedSql.Unversioned.NEWER), new DeadLetters(options.kafka(), names.dlq(),
                    "replay-" + shard.id(), topology.maxMessageBytes()), options.batchRows(), throttle);
            for (TableSpec spec : tables) {
                LogReader reader = new LogReader(options.kafka(), names.cdc(spec.name()), topology,
                        "shardflow-replay-" + shard.id() + "-" + run, options.batchRows(), LogReader.Reading.ENVELOPE);
                readers.put(spec.name(), reader);
                reader.seek(options.start());
            }
            tally.phase = "index";
            watermarks.readToWatermark(tables, readers, spec -> (record, event, unreadable) -> index(spec, record, event));
            for (TableSpec spec : tables) {
                tally.recordsTotal += readers.get(spec.name()).recordsToMarker();
            }
            log.info("replay {} of {}: copy of {} change records, up to the watermark", run, shard.id(),
                    tally.recordsTotal);
            tally.phase = "copy";
            tally.recordsRead = 0;
            long copyStarted = System.nanoTime();
            for (TableSpec spec : tables) {
                tally.table = spec.name();
                LogReader reader = readers.get(spec.name());
                reader.rewind();
                reader.readToLastMarker((record, event, unreadable) -> copy(spec, record, event, unreadable));
                writer.drain(); // children are written after their parents
            }
            history.ledgers().values().forEach(RowLedger::copied);
            long copyMs = (System.nanoTime() - copyStarted) / 1_000_000;
            log.info("replay {} of {}: {} changes applied of {} records read ({} of other shards' rows or not owned, "
                    + "{} superseded by a later change, {} dead-lettered) in {} s", run, shard.id(),
                    writer.applied(), tally.recordsRead, tally.notOwned, tally.superseded, writer.deadLettered(),
                    tally.seconds());
            tally.phase = "check";
            follow(pool, tables, readers); // the copy's own writes come back here, and any the application made
            ReplayCheck.Result check = new ReplayCheck(shard, topology, topology.tables(), pool, history.ledgers(),
                    options.maxRechecks())
                    .run(() -> follow(pool, tables, readers));
            tally.report(true);
            ReplayReport report = new ReplayReport(shard.id(), options.start().toString(), tally.recordsRead,
                    writer.applied(), tally.notOwned, tally.superseded, writer.deadLettered(), check.rowsChecked(),
                    check.mismatches(), check.sample(), check.newerThanLog(), tally.applicationWrites, copyMs,
                    Math.round(tally.seconds() * 1000));
            if (tally.applicationWrites > 0 || check.newerThanLog() > 0) {
                log.warn("replay {} of {}: the application wrote to the shard while it was being rebuilt ({} changes "
                        + "after the watermark, {} rows the log does not hold); a write to a row the replay had not "
                        + "restored yet may be undone: hold writes to a shard while it is replayed", run, shard.id(),
                        tally.applicationWrites, check.newerThanLog());
            }
            log.info("replay {} of {}: check compared {} rows with the log: {} mismatch(es){}, {} row(s) newer than "
                    + "the log; done in {} s", run, shard.id(), check.rowsChecked(), check.mismatches(),
                    check.sample().isEmpty() ? "" : " " + check.sample(), check.newerThanLog(), tally.seconds());
            return report;
        } catch (SQLException e) {
            throw new ReplayException("replay of " + shard.id() + ": " + e.getMessage() + "; the replay changed "
                    + "nothing that a new run would not set right, so run it again once the shard is reachable", e);
        } finally {
            readers.values().forEach(LogReader::close);
            if (writer != null) {
                writer.close();
            }
        }
    }

    /** Parents before children, so children can be placed; reference tables last. */
    private static List<TableSpec> ordered(Topology topology) {
        List<TableSpec> tables = new ArrayList<>();
        for (TableSpec.Placement placement : List.of(TableSpec.Placement.SHARD_KEY, TableSpec.Placement.PARENT,
                TableSpec.Placement.REFERENCE)) {
            topology.tables().stream().filter(t -> t.placement() == placement).forEach(tables::add);
        }
        return tables;
    }

    private void prepare(HikariDataSource pool, SqlDialect dialect, List<TableSpec> tables) throws SQLException {
        Map<String, List<String>> patched = new HashMap<>();
        options.topology().views().stream().filter(ViewSpec::inPlace).forEach(view -> patched
                .computeIfAbsent(view.from(), t -> new ArrayList<>()).addAll(view.columns().keySet()));
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            for (TableSpec spec : tables) {
                TableMetadata metadata;
                try {
                    metadata = TableMetadata.read(connection, spec.name());
                } catch (SQLException | RuntimeException e) {
                    throw new ReplayException("table " + spec.name() + " cannot be read on " + shard.id() + " ("
                            + e.getMessage() + "); create the keyspace's tables on the shard before replaying", e);
                }
                if (metadata.columns().isEmpty()) {
                    throw new ReplayException("table " + spec.name() + " does not exist on " + shard.id()
                            + "; create the keyspace's tables on the shard before replaying");
                }
            }
            new TargetSchema(dialect).prepare(connection, tables.stream().map(TableSpec::name).toList(), Set.of(),
                    patched, true);
            for (TableSpec spec : tables) {
                history.add(TargetTable.of(dialect, TableMetadata.read(connection, spec.name()),
                        GuardedSql.Unversioned.NEWER));
            }
            connection.commit();
        }
    }

    /** Rows already on the shard (a restored backup) get the lowest version: any change of the log is newer. */
    private void stampUnversioned(HikariDataSource pool, List<TableSpec> tables)
            throws SQLException {
        long stamped = 0;
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(true);
            for (TableSpec spec : tables) {
                TargetTable target = history.target(spec.name());
                try (PreparedStatement update = connection.prepareStatement(target.sql().stampUnversioned())) {
                    update.setBytes(1, new byte[VersionStamp.BYTES]);
                    stamped += update.executeUpdate();
                }
            }
        }
        if (stamped > 0) {
            log.info("replay {} of {}: {} rows already on the shard count as older than every change of the log", run,
                    shard.id(), stamped);
        }
    }

    /** For the check: reads the log on to a new watermark, learning the newer images of rows (applying nothing). */
    private void follow(HikariDataSource pool, List<TableSpec> tables, Map<String, LogReader> readers)
            throws InterruptedException {
        watermarks.readToWatermark(tables, readers, spec -> (record, event, unreadable) -> {
            String key = history.ownKey(spec, event);
            if (key != null) {
                long image = history.image(spec.name(), LogReader.decode(record));
                Long expected = history.ledger(spec.name()).expected(key);
                if (expected == null || expected != image) {
                    tally.applicationWrites++; // not the copy's own write coming back through capture
                }
                history.ledger(spec.name()).expect(key, image);
            }
        });
    }

    /** First read: the offset of every owned row's last change, and the shard keys of parent rows. */
    private void index(TableSpec spec, ConsumerRecord<byte[], byte[]> record, ChangeEvent event) {
        tally.recordsRead++;
        String key = history.ownKey(spec, event);
        if (key != null) {
            history.ledger(spec.name()).changedAt(key, record.offset());
        }
        tally.report(false);
    }

    /** Second read: applies each owned row's last change, and sends what cannot be read to the dead-letter topic. */
    private void copy(TableSpec spec, ConsumerRecord<byte[], byte[]> record, ChangeEvent event, String unreadable)
            throws InterruptedException {
        tally.recordsRead++;
        Origin origin = new Origin(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                null);
        if (unreadable != null) {
            writer.deadLetter(new Rejected(origin, null, unreadable, new IllegalArgumentException(unreadable)));
            return;
        }
        if (event == null || event.isMarker() || !shard.id().equals(event.source().shard())) {
            return;
        }
        RowLedger ledger = history.ledger(spec.name());
        String key = ShardHistory.key(spec, event);
        if (!ledger.isLast(key, record.offset())) {
            if (history.owned(spec, event)) {
                tally.superseded++;
            } else {
                tally.notOwned++;
            }
            return;
        }
        Change change;
        long hash;
        try {
            ChangeEvent full = LogReader.decode(record); // the row's columns, for the one change of it applied
            change = new Change(full, VersionStamp.rowVersion(full), Change.rowKey(full), origin);
            hash = history.image(spec.name(), full);
        } catch (IllegalArgumentException e) {
            writer.deadLetter(new Rejected(origin, event, "replay of " + shard.id() + ": " + e.getMessage(), e));
            return;
        }
        ledger.expect(key, hash);
        writer.add(change);
        tally.report(false);
    }
}
