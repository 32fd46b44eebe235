package dev.shardflow.topology.verify;

import dev.shardflow.core.event.RowSetChecksum;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.jdbc.RowImage;
import dev.shardflow.jdbc.RowReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the moving rows of a table on one owner with the other side — of several such parts in turn — chunk by
 * chunk in primary-key order, while writes go on and without locks.
 *
 * <p>Per chunk: read the owner's rows, write a watermark on the owner, and once the other side's writers applied it,
 * read the same key range there and compare the two sides' row counts and order-independent hash sums
 * ({@link RowSetChecksum}); only a chunk whose sums differ is compared key by key. Every change the owner made
 * before the watermark is then in place on the other side, so a key the owner did not change between its read and a
 * second look after the other side's read must be equal there; the keys that differ are compared again after a new
 * watermark, and those neither side changed between the two comparisons are confirmed differences. Keys that changed
 * meanwhile are compared again, up to a bound, and any still changing then are counted as unsettled rather than
 * reported. Chunks are read ahead while earlier watermarks travel, the next part's too.
 *
 * <p>One role in one file, longer than most: reading chunks ahead, comparing them and confirming their differences
 * share the readers, the watermarks and the tally, and their order is what makes a chunk's progress mark safe — a
 * chunk is marked done only once the keys it left to confirm are settled.
 */
final class MovingCheck {
    private static final Logger log = LoggerFactory.getLogger(MovingCheck.class);

    private final ShardConnections connections;
    private final Watermarks watermarks;
    private final VerifyTally tally;
    private final VerifySettings settings;
    private final Placement placement;
    /** Differing keys of compared chunks, confirmed together by {@link #settleBacklog}. */
    private final List<Unsettled> backlog = new ArrayList<>();
    private final List<Runnable> doneLater = new ArrayList<>();
    private int backlogKeys;

    MovingCheck(ShardConnections connections, Watermarks watermarks, VerifyTally tally, VerifySettings settings,
            Placement placement) {
        this.connections = connections;
        this.watermarks = watermarks;
        this.tally = tally;
        this.settings = settings;
        this.placement = placement;
    }

    /**
     * One step of a run: a table's moving rows on one owner.
     *
     * @param targets the shards the other topology moves some of {@code owner}'s keys to
     * @param after where to start (null: the first key)
     * @param starting called when its first chunk is about to be read
     * @param paced called after every read of it, to throttle and report progress
     * @param done called with the last key of each chunk once it and every chunk before it are compared (null: the
     *     step's last chunk)
     */
    record Part(TableSpec table, ShardSpec owner, List<ShardSpec> targets, List<Object> after, Runnable starting,
            Runnable paced, Consumer<List<Object>> done) {}

    /** A part's readers: the owner's, and each target's. */
    private record Readers(Part part, RowReader owner, Map<String, RowReader> targets) {}

    /**
     * Keys of one chunk (a part and one target) that differed: the owner's rows as last read before a watermark, the
     * target's as read after it and as read after the watermark before (null before a second look), and each key's
     * values for reading it again.
     */
    private record Unsettled(Readers readers, RowReader target, List<String> keys, Map<String, RowImage> ownerRows,
            Map<String, RowImage> targetRows, Map<String, RowImage> earlierTargetRows,
            Map<String, List<Object>> keyValues) {

        Unsettled(Readers readers, RowReader target, List<String> keys, Map<String, RowImage> ownerRows,
                Map<String, RowImage> targetRows) {
            this(readers, target, keys, ownerRows, targetRows, null, keyValuesOf(keys, ownerRows, targetRows));
        }

        private static Map<String, List<Object>> keyValuesOf(List<String> keys, Map<String, RowImage> ownerRows,
                Map<String, RowImage> targetRows) {
            Map<String, List<Object>> values = new LinkedHashMap<>();
            for (String key : keys) {
                RowImage any = ownerRows.containsKey(key) ? ownerRows.get(key) : targetRows.get(key);
                values.put(key, any.keyValues());
            }
            return values;
        }

        Unsettled with(List<String> stillChanging) {
            return new Unsettled(readers, target, stillChanging, ownerRows, targetRows, earlierTargetRows, keyValues);
        }

        Unsettled withOwnerRows(Map<String, RowImage> rows) {
            return new Unsettled(readers, target, keys, rows, targetRows, earlierTargetRows, keyValues);
        }

        /** The other side's rows read after a new watermark; the ones read before become the earlier look. */
        Unsettled withTargetRows(Map<String, RowImage> rows) {
            return new Unsettled(readers, target, keys, ownerRows, rows, targetRows, keyValues);
        }
    }

    private record Pending(Readers readers, List<Object> after, List<Object> upTo, String watermark,
            long deadlineNanos, Map<String, Map<String, RowImage>> expected, Set<String> applied) {}

    /**
     * Compares the parts in order, as one stream of chunks: the chunks of the next part are read while the
     * watermarks of the last ones of a part travel, so a run waits out the pipeline's latency once, not once per part.
     * Chunks are compared, and reported {@code done}, in the order they were read.
     */
    void run(List<Part> parts) throws SQLException, InterruptedException {
        Deque<Pending> pending = new ArrayDeque<>();
        int next = 0;
        Readers reading = null;
        List<Object> from = null;
        boolean more = !parts.isEmpty();
        while (more || !pending.isEmpty()) {
            if (more && pending.size() < settings.pendingChunks()) {
                if (reading == null) {
                    Part part = parts.get(next);
                    part.starting().run();
                    reading = readers(part);
                    from = part.after();
                }
                Pending chunk = read(reading, from);
                pending.add(chunk);
                from = chunk.upTo();
                Part part = reading.part();
                if (from == null) {
                    reading = null;
                    next++;
                    more = next < parts.size();
                }
                part.paced().run();
            }
            Pending head = pending.peek();
            List<ShardSpec> targets = head.readers().part().targets();
            if (arrived(head, targets)) {
                pending.poll();
                compare(head);
                tally.chunks++;
                Consumer<List<Object>> done = head.readers().part().done();
                List<Object> upTo = head.upTo();
                if (backlog.isEmpty()) {
                    done.accept(upTo);
                } else {
                    doneLater.add(() -> done.accept(upTo));
                    if (backlogKeys >= settings.chunkRows()) {
                        settleBacklog();
                    }
                }
                head.readers().part().paced().run();
            } else if (!more || pending.size() >= settings.pendingChunks()) {
                if (System.nanoTime() > head.deadlineNanos()) {
                    ShardSpec owner = head.readers().part().owner();
                    throw new VerifyException("watermark " + head.watermark() + " written on " + owner.id()
                            + " was not applied on " + targets.stream().map(ShardSpec::id)
                            .filter(id -> !head.applied().contains(id)).toList() + " within "
                            + settings.watermarkTimeout().toSeconds() + " s; check that capture of " + owner.id()
                            + ", the rebalancer and the writers of the other side are running");
                }
                Thread.sleep(20);
            }
        }
        settleBacklog();
    }

    private Readers readers(Part part) {
        Map<String, RowReader> targetReaders = new LinkedHashMap<>();
        for (ShardSpec target : part.targets()) {
            targetReaders.put(target.id(), new RowReader(target, part.table(), placement.other(),
                    ChunkedVerifier.derivedColumns(placement.current(), part.table())));
        }
        return new Readers(part, new RowReader(part.owner(), part.table(), placement.current(),
                ChunkedVerifier.derivedColumns(placement.current(), part.table())), targetReaders);
    }

    /** Reads the owner's next chunk after {@code from}, keeps the rows that move, and writes its watermark. */
    private Pending read(Readers readers, List<Object> from) throws SQLException {
        ShardSpec owner = readers.part().owner();
        List<Object> upTo;
        List<RowImage> rows;
        try (Connection connection = open(owner)) {
            upTo = readers.owner().chunkEnd(connection, from, settings.chunkRows());
            rows = readers.owner().read(connection, from, upTo);
        }
        tally.rowsRead += rows.size();
        tally.rowsScanned += rows.size();
        Map<String, Map<String, RowImage>> expected = new LinkedHashMap<>();
        readers.targets().keySet().forEach(target -> expected.put(target, new LinkedHashMap<>()));
        for (RowImage row : rows) {
            if (row.placementKey() == null) {
                tally.unplaceable++;
            }
            String target = movesTo(row, owner.id());
            if (target != null && expected.containsKey(target)) {
                expected.get(target).put(row.key(), row);
            }
        }
        String watermark = watermarks.write(owner);
        return new Pending(readers, from, upTo, watermark, System.nanoTime() + settings.watermarkTimeout().toNanos(),
                expected, new HashSet<>());
    }

    /** The shard the other topology places the row on, if that is not {@code owner} and {@code owner} owns it now. */
    private String movesTo(RowImage row, String owner) {
        if (row.placementKey() == null) {
            return null;
        }
        if (!placement.ownerOf(row.placementKey()).equals(owner) || !placement.moving(row.placementKey(), owner)) {
            return null;
        }
        return placement.otherOwnerOf(row.placementKey()).orElseThrow();
    }

    private boolean arrived(Pending chunk, List<ShardSpec> targets) throws SQLException {
        for (ShardSpec target : targets) {
            if (!chunk.applied().contains(target.id()) && watermarks.applied(chunk.watermark(), target)) {
                chunk.applied().add(target.id());
            }
        }
        return chunk.applied().size() == targets.size();
    }

    private void compare(Pending chunk) throws SQLException, InterruptedException {
        ShardSpec owner = chunk.readers().part().owner();
        for (Map.Entry<String, RowReader> target : chunk.readers().targets().entrySet()) {
            RowReader reader = target.getValue();
            Map<String, RowImage> there = new LinkedHashMap<>();
            try (Connection connection = open(reader.shard())) {
                for (RowImage row : reader.read(connection, chunk.after(), chunk.upTo())) {
                    if (target.getKey().equals(movesTo(row, owner.id()))) {
                        there.put(row.key(), row);
                    }
                }
            }
            tally.rowsRead += there.size();
            Map<String, RowImage> expected = chunk.expected().get(target.getKey());
            if (checksum(expected).equals(checksum(there))) {
                tally.rowsCompared += expected.size(); // same count and hash sum: the chunk matches
                continue;
            }
            Set<String> keys = new LinkedHashSet<>(expected.keySet());
            keys.addAll(there.keySet());
            tally.rowsCompared += keys.size();
            List<String> differing = keys.stream().filter(k -> !same(expected.get(k), there.get(k))).toList();
            if (!differing.isEmpty()) {
                backlog.add(new Unsettled(chunk.readers(), reader, differing, expected, there));
                backlogKeys += differing.size();
            }
        }
    }

    /**
     * Confirms the differences of the chunks compared since the last call, all together: a key that neither side
     * changed between two comparisons, each after its own watermark, differs for real; a key either changed meanwhile
     * is compared again with a fresh watermark, up to {@code maxRechecks} times. The keys of every chunk wait out one
     * watermark per owner and round — under writes nearly every chunk has a key in flight, and a round per chunk made
     * a verify as slow as the pipeline's latency times its chunks. The chunks' {@code done} calls wait for it too, so a
     * verify resumed from its cursor never skips a key left to confirm.
     */
    private void settleBacklog() throws SQLException, InterruptedException {
        if (backlog.isEmpty()) {
            return;
        }
        List<Unsettled> active = new ArrayList<>(backlog);
        backlog.clear();
        backlogKeys = 0;
        for (int attempt = 0; ; attempt++) {
            List<Unsettled> next = new ArrayList<>();
            for (Unsettled group : active) {
                List<String> stillChanging = classify(group, attempt);
                if (!stillChanging.isEmpty()) {
                    next.add(group.with(stillChanging));
                }
            }
            if (next.isEmpty()) {
                break;
            }
            if (attempt >= settings.maxRechecks()) {
                for (Unsettled group : next) {
                    TableSpec table = group.readers().part().table();
                    tally.unsettled(table.name(), group.target().shard().id(), group.keys().size());
                    log.warn("verify: {} key(s) of {} on {} kept changing through {} rechecks, not compared: {}",
                            group.keys().size(), table.name(), group.readers().part().owner().id(), attempt,
                            group.keys().subList(0, Math.min(5, group.keys().size())));
                }
                break;
            }
            // the owner's rows as they are now, then one watermark per owner, then the other side once it applied it
            List<Unsettled> reread = new ArrayList<>();
            for (Unsettled group : next) {
                reread.add(group.withOwnerRows(readOwned(group.readers().owner(), group.readers().part().owner(),
                        group.target().shard().id(), group.keys(), group.keyValues())));
            }
            Map<String, String> watermarkOf = new LinkedHashMap<>();
            for (Unsettled group : reread) {
                ShardSpec owner = group.readers().part().owner();
                if (!watermarkOf.containsKey(owner.id())) {
                    watermarkOf.put(owner.id(), watermarks.write(owner));
                }
            }
            Set<String> awaited = new HashSet<>();
            for (Unsettled group : reread) {
                ShardSpec owner = group.readers().part().owner();
                if (awaited.add(owner.id() + " " + group.target().shard().id())) {
                    watermarks.awaitApplied(watermarkOf.get(owner.id()), owner, group.target().shard(),
                            settings.watermarkTimeout());
                }
            }
            active = new ArrayList<>();
            for (Unsettled group : reread) {
                try (Connection connection = open(group.target().shard())) {
                    active.add(group.withTargetRows(group.target().readKeys(connection, group.keys().stream()
                            .map(group.keyValues()::get).toList())));
                }
            }
        }
        doneLater.forEach(Runnable::run);
        doneLater.clear();
    }

    /**
     * Looks at one group's keys again on the owner: the ones equal on both sides now pass, the ones neither side
     * changed since the last look are confirmed and counted; returns those either side changed meanwhile, or that
     * want their second look.
     */
    private List<String> classify(Unsettled group, int attempt) throws SQLException {
        TableSpec table = group.readers().part().table();
        ShardSpec owner = group.readers().part().owner();
        String target = group.target().shard().id();
        Map<String, RowImage> now = readOwned(group.readers().owner(), owner, target, group.keys(),
                group.keyValues());
        List<String> stillChanging = new ArrayList<>();
        for (String key : group.keys()) {
            RowImage was = group.ownerRows().get(key);
            RowImage there = group.targetRows().get(key);
            if (same(was, there)) {
                continue;
            }
            boolean ownerHeld = same(was, now.get(key));
            // a difference stands only if neither side changed between two looks, each after its own watermark:
            // the owner's image alone can come back to what it was (a row deleted, made again and deleted again
            // reads as no row each time) while the other side, behind, still shows a row of the middle
            boolean targetHeld = settings.maxRechecks() == 0 || (group.earlierTargetRows() != null
                    && same(group.earlierTargetRows().get(key), there));
            if (ownerHeld && targetHeld) {
                Mismatch.Kind kind = was == null ? Mismatch.Kind.EXTRA
                        : there == null ? Mismatch.Kind.MISSING : Mismatch.Kind.DIFFERS;
                tally.found(kind, table.name(), key, owner.id(), target, was, there);
                log.warn("verify: {} {} {}: owner {} and {} differ ({})", table.name(), key, kind, owner.id(), target,
                        attempt == 0 ? "in its chunk" : "after " + attempt + " recheck(s)");
            } else {
                if (ownerHeld && attempt == 0) {
                    log.info("verify: {} {} differs between {} and {}; comparing it again", table.name(), key,
                            owner.id(), target);
                }
                stillChanging.add(key);
            }
        }
        return stillChanging;
    }

    /** The owner's rows of these keys that it still owns and that still move to {@code target}. */
    private Map<String, RowImage> readOwned(RowReader reader, ShardSpec owner, String target, List<String> keys,
            Map<String, List<Object>> keyValues) throws SQLException {
        Map<String, RowImage> rows;
        try (Connection connection = open(owner)) {
            rows = reader.readKeys(connection, keys.stream().map(keyValues::get).toList());
        }
        tally.rowsRead += rows.size();
        rows.values().removeIf(row -> !target.equals(movesTo(row, owner.id())));
        return rows;
    }

    /** The chunk's row count and order-independent hash sum, which the two sides are compared by first. */
    private static RowSetChecksum checksum(Map<String, RowImage> rows) {
        RowSetChecksum sum = RowSetChecksum.EMPTY;
        for (RowImage row : rows.values()) {
            sum = sum.plus(new RowSetChecksum(1, row.hash()));
        }
        return sum;
    }

    private static boolean same(RowImage a, RowImage b) {
        return a == null ? b == null : b != null && a.hash() == b.hash();
    }

    private Connection open(ShardSpec shard) throws SQLException {
        return RowReader.prepare(connections.open(shard), shard);
    }
}
