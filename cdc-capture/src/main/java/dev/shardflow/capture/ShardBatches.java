package dev.shardflow.capture;

import dev.shardflow.capture.debezium.DefinitionTracker;
import dev.shardflow.capture.debezium.RecordConverter;
import dev.shardflow.capture.kafka.ChangePublisher;
import dev.shardflow.capture.preflight.IndexWatch;
import dev.shardflow.capture.preflight.ReplicaIdentityWatch;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.SourcePosition;
import dev.shardflow.core.schema.SchemaDiff;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.core.schema.TableDefinition;
import dev.shardflow.core.topology.ShardSpec;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the batches of one shard's engines become — change events on Kafka, dead letters for what cannot be one —
 * and the shard's figures over them: events written, position, lag. It outlives each engine of the shard.
 */
final class ShardBatches {
    private static final Logger log = LoggerFactory.getLogger(ShardBatches.class);

    private final ShardSpec shard;
    private final RecordConverter converter;
    private final DefinitionTracker definitions;
    private final Counter events;
    private final Counter deadLetters;
    private final AtomicLong eventCount = new AtomicLong();
    private final AtomicLong lastSourceTsMs = new AtomicLong();
    private final AtomicReference<SourcePosition> lastPosition = new AtomicReference<>();
    private volatile String binlogFile;
    private volatile ReplicaIdentityWatch identities;
    private volatile IndexWatch indexes;
    private volatile boolean captured;

    ShardBatches(CaptureOptions options, ShardSpec shard, MeterRegistry registry) {
        this.shard = shard;
        this.converter = new RecordConverter(options.topology(), shard.id());
        this.definitions = new DefinitionTracker(options.topology(), shard.engine());
        this.events = Counter.builder("shardflow.capture.events").tag("shard", shard.id())
                .description("change events written to Kafka").register(registry);
        this.deadLetters = Counter.builder("shardflow.capture.dlq").tag("shard", shard.id())
                .description("records sent to the dead-letter topic").register(registry);
        Gauge.builder("shardflow.capture.lag", this, batches -> batches.lagMs() / 1000.0).tag("shard", shard.id())
                .baseUnit("seconds").description("now minus the source commit time of the last event")
                .register(registry);
    }

    /** The watch of the managed tables' secondary indexes, whose changes are sent with the tables' definitions. */
    void watchIndexes(IndexWatch watch) {
        this.indexes = watch;
    }

    /** On PostgreSQL, the watch of the tables' replica identities that vouches for each delete. */
    void watchIdentities(ReplicaIdentityWatch watch) {
        this.identities = watch;
    }

    /**
     * Sends a batch's change events (dead letters for what cannot be one), marks its records processed; while
     * stopping, waits for Kafka to acknowledge them, since the engine then commits their offsets at once.
     */
    void handle(ChangePublisher publisher, List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer, boolean stopping)
            throws InterruptedException {
        ChangeEvent last = null;
        int written = 0;
        for (RecordChangeEvent<SourceRecord> record : records) {
            Optional<ChangeEvent> event;
            try {
                event = converter.convert(record.record());
            } catch (RuntimeException e) {
                // Bad input never stops the line: the record goes to the DLQ with its reason, the rest flows on.
                log.warn("capture of shard {}: record at {} sent to the dead-letter topic: {}", shard.id(),
                        record.record().sourceOffset(), e.getMessage());
                publisher.sendDeadLetter(shard.id(), record.record(), e);
                deadLetters.increment();
                continue;
            }
            if (event.isEmpty()) {
                definitions.statement(record.record());
            } else if (!event.get().isMarker()) {
                sendDefinitionIfChanged(publisher, record.record(), event.get());
            }
            Optional<String> incomplete = event.flatMap(this::incomplete);
            if (incomplete.isPresent()) {
                String reason = incomplete.get();
                log.warn("capture of shard {}: {} {} {} sent to the dead-letter topic: {}", shard.id(),
                        event.get().op(), event.get().table(), event.get().key(), reason);
                publisher.sendDeadLetter(event.get(), reason);
                deadLetters.increment();
                continue;
            }
            if (event.isPresent()) {
                try {
                    publisher.send(event.get());
                } catch (ChangePublisher.RowTooLarge e) {
                    log.warn("capture of shard {}: {} {} {} sent to the dead-letter topic: {}", shard.id(),
                            event.get().op(), event.get().table(), event.get().key(), e.getMessage());
                    publisher.sendTooLarge(event.get(), e);
                    deadLetters.increment();
                    continue;
                }
                last = event.get();
                written++;
            }
        }
        for (RecordChangeEvent<SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        if (!records.isEmpty() && records.get(records.size() - 1).record().sourceOffset() != null
                && records.get(records.size() - 1).record().sourceOffset().get("file") instanceof String file) {
            binlogFile = file; // heartbeats included: the file an idle binlog capture reads on
        }
        if (stopping) {
            publisher.flush(); // the engine commits offsets unconditionally when it stops
        }
        committer.markBatchFinished();
        if (last != null) {
            sendIndexesIfChanged(publisher, last);
            captured = true;
            eventCount.addAndGet(written);
            events.increment(written);
            lastPosition.set(last.source().position());
            lastSourceTsMs.set(last.source().tsMs());
        }
    }

    /**
     * Sends the table's definition to every partition of its change topic ahead of this change, when it is not the one
     * sent last: a schema event, which reaches a move's targets before the first row that needs it.
     */
    private void sendDefinitionIfChanged(ChangePublisher publisher, SourceRecord record, ChangeEvent change) {
        Optional<DefinitionTracker.Changed> changed = definitions.changed(record, change.table());
        if (changed.isEmpty()) {
            return;
        }
        SchemaEvent schema = changed.get().event();
        TableDefinition previous = changed.get().previous();
        if (previous == null) {
            log.debug("capture of shard {}: definition of {} at {}: {}", shard.id(), change.table(),
                    change.source().position(), schema.definition().columns());
        } else {
            log.info("capture of shard {}: the definition of {} changed at {}: {}{}", shard.id(), change.table(),
                    change.source().position(), SchemaDiff.between(previous, schema.definition()).describe(),
                    schema.statement() == null ? "" : " (" + schema.statement() + ")");
        }
        IndexWatch watch = indexes;
        if (watch != null) {
            schema = schema.withIndexes(watch.current(change.table()));
        }
        publisher.sendSchema(schema.toChange(change.keyspace(), change.source(), change.epoch()));
    }

    /**
     * When a read of the source's indexes is due and a table's differ from the last read, sends that table's
     * definition again with them, at {@code last}'s place in the log; a table with no change since the start waits
     * for its first, whose definition carries its indexes.
     */
    private void sendIndexesIfChanged(ChangePublisher publisher, ChangeEvent last) {
        IndexWatch watch = indexes;
        if (watch == null) {
            return;
        }
        watch.changed().forEach((table, now) -> definitions.definition(table).ifPresent(definition -> {
            log.info("capture of shard {}: the indexes of {} are now {}", shard.id(), table, now);
            publisher.sendSchema(new SchemaEvent(definition, null, now).toChange(last.keyspace(), last.source(),
                    last.epoch()));
        }));
    }

    /**
     * Why a delete cannot be trusted to say where its row lived, or empty: on PostgreSQL, a relation of its table
     * (a partition created since the start, say) does not log whole old rows, and the placement column of the
     * delete holds what Debezium fills a missing value with.
     */
    private Optional<String> incomplete(ChangeEvent event) {
        if (identities == null) {
            return Optional.empty();
        }
        return identities.doubt(event).map(problem -> "the delete's old row may hold defaults instead of "
                + "the row's values (" + problem + "); after the fix, run verify, which reports any copy of the row "
                + "the delete did not reach");
    }

    /** Whether a change was written since the last call; the call starts the question again. */
    boolean capturedSinceLastAsked() {
        boolean was = captured;
        captured = false;
        return was;
    }

    long eventCount() {
        return eventCount.get();
    }

    /** The binlog file the last batch was read from (MariaDB/MySQL), or null before the first batch. */
    String binlogFile() {
        return binlogFile;
    }

    SourcePosition lastPosition() {
        return lastPosition.get();
    }

    /** Milliseconds between now and the source commit of the last event written; 0 before the first. */
    double lagMs() {
        long ts = lastSourceTsMs.get();
        return ts == 0 ? 0 : Math.max(0, System.currentTimeMillis() - ts);
    }
}
