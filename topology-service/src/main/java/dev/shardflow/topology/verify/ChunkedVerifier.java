package dev.shardflow.topology.verify;

import dev.shardflow.core.topology.Placement;
import dev.shardflow.jdbc.Throttle;
import dev.shardflow.core.strategy.MoveRange;
import dev.shardflow.core.strategy.StrategyDiff;
import dev.shardflow.core.topology.ReferenceCopies;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.topology.fence.MarkerPaths;
import dev.shardflow.topology.registry.ShardConnections;
import dev.shardflow.jdbc.RowReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a keyspace's rows where they are, reading only and throttled: during a rebalance the moving rows of every
 * owner against the other side ({@link MovingCheck}, exact under writes by watermarks), and with {@code all} also
 * every row of every shard against its owner ({@link OrphanScan}) and every reference table against the first shard.
 *
 * <p>A run is a list of steps — one per table and owner, then one per table and shard, then one per reference table
 * — numbered the same way for the same topologies, so a {@link VerifyCursor} taken after any chunk resumes it there.
 * Rows compare by the hash of {@code core}'s canonical encoding, so shards of different engines compare directly.
 */
public final class ChunkedVerifier {
    private static final Logger log = LoggerFactory.getLogger(ChunkedVerifier.class);

    private final ShardConnections connections;
    private final MarkerPaths paths;
    private final VerifySettings settings;
    private final Mismatch.Reasons reasons;

    /** What a run reports as it goes; both are called on the run's thread. */
    public interface Listener {
        void progress(VerifyProgress progress);

        /** A partial report whose cursor resumes the run; called at most every few seconds. */
        default void checkpoint(VerifyReport partial) {}
    }

    /**
     * What to verify.
     *
     * @param current the topology in force: owners are the truth
     * @param other during a rebalance the other side, whose shards hold copies of the moving keys; else null
     * @param all also scan every shard for orphans and compare reference tables
     */
    public record Scope(Topology current, Topology other, boolean all) {
        /** What the scope covers, with the epochs: a partial report resumes only a run of the same scope. */
        public String name() {
            return (all ? "all" : "moving") + " at epoch " + current.epoch()
                    + (other == null ? "" : " (other side epoch " + other.epoch() + ")");
        }
    }

    public ChunkedVerifier(ShardConnections connections, MarkerPaths paths, VerifySettings settings) {
        this(connections, paths, settings, Mismatch.Reasons.NONE);
    }

    /** @param reasons why rows differ when shardflow knows it, given with each difference it explains */
    public ChunkedVerifier(ShardConnections connections, MarkerPaths paths, VerifySettings settings,
            Mismatch.Reasons reasons) {
        this.connections = connections;
        this.paths = paths;
        this.settings = settings;
        this.reasons = reasons;
    }

    private sealed interface Step permits Moving, Orphans, Reference {
        String describe();
    }

    private record Moving(TableSpec table, ShardSpec owner, List<ShardSpec> targets) implements Step {
        public String describe() {
            return "moving rows of " + table.name() + " on " + owner.id() + " -> "
                    + targets.stream().map(ShardSpec::id).toList();
        }
    }

    private record Orphans(TableSpec table, ShardSpec shard) implements Step {
        public String describe() {
            return "owners of " + table.name() + " rows on " + shard.id();
        }
    }

    private record Reference(TableSpec table, List<ShardSpec> shards) implements Step {
        public String describe() {
            return "reference table " + table.name() + " on " + shards.size() + " shards";
        }
    }

    /**
     * Runs the scope from {@code resume} (null: from the start) and returns the report; a run that cannot go on
     * throws {@link VerifyException} naming the shard or watermark. Shards whose managed tables differ in their columns
     * are refused before any row is read ({@link ColumnCheck}).
     */
    public VerifyReport verify(Scope scope, VerifyReport resume, Listener listener) throws InterruptedException {
        ColumnCheck.requireSameColumns(connections, scope.current(), scope.other());
        List<Step> steps = steps(scope);
        VerifyCursor cursor = resume == null || resume.cursor() == null ? VerifyCursor.START : resume.cursor();
        if (cursor.step() > steps.size()) {
            throw new VerifyException("cannot resume at step " + cursor.step() + " of a run with " + steps.size()
                    + " steps; the topology changed since, so verify again from the start");
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        VerifyTally tally = new VerifyTally(scope.name(), cursor == VerifyCursor.START ? null : resume,
                reasons.fresh());
        long total = count(steps, cursor.step(), scope.current());
        Watermarks watermarks = scope.other() == null ? null
                : new Watermarks(connections, paths, scope.current(), run);
        long started = System.nanoTime();
        Reporting reporting = new Reporting(run, steps, listener, tally, total, new Throttle(settings.rowsPerSecond()),
                started, new long[] {System.nanoTime()});
        log.info("verify {} ({}): {} step(s), {} row(s) to read{}", run, scope.name(), steps.size(), total,
                cursor == VerifyCursor.START ? "" : ", resuming at step " + cursor.step());
        int index = cursor.step();
        List<Object> after = cursor.after();
        try {
            while (index < steps.size()) {
                if (steps.get(index) instanceof Moving) {
                    // the moving steps run as one stream of chunks, each step's read ahead while the last watermarks
                    // of the one before travel
                    List<MovingCheck.Part> parts = new ArrayList<>();
                    for (; index < steps.size() && steps.get(index) instanceof Moving moving; index++) {
                        int at = index;
                        parts.add(new MovingCheck.Part(moving.table(), moving.owner(), moving.targets(), after,
                                () -> reporting.starting(at), () -> reporting.paced(at),
                                upTo -> reporting.done(at, upTo)));
                        after = null;
                    }
                    new MovingCheck(connections, watermarks, tally, settings, new Placement(scope.current(),
                            scope.other())).run(parts);
                    continue;
                }
                int at = index;
                reporting.starting(at);
                runStep(steps.get(at), scope, watermarks, tally, () -> reporting.paced(at), after,
                        upTo -> reporting.done(at, upTo));
                after = null;
                index++;
            }
        } catch (SQLException e) {
            throw new VerifyException("verify " + run + " could not read a shard: " + e.getMessage(), e);
        } finally {
            if (watermarks != null) {
                watermarks.remove(scope.other().shards());
            }
        }
        VerifyReport report = tally.report(true, null);
        listener.progress(progress(run, "done", tally, total, started, true));
        log.info("verify {} ({}): {} chunks, {} rows compared, {} mismatch(es), {} unsettled, {} orphan(s), {} "
                + "unplaceable in {} ms{}", run, scope.name(), report.chunks(), report.rowsCompared(),
                report.mismatches(), report.unsettled(), report.orphans(), report.unplaceable(), report.elapsedMs(),
                report.sample().isEmpty() ? "" : ": " + report.sample());
        return report;
    }

    private void runStep(Step step, Scope scope, Watermarks watermarks, VerifyTally tally, Runnable paced,
            List<Object> after, Consumer<List<Object>> done) throws SQLException, InterruptedException {
        if (step instanceof Orphans orphans) {
            new OrphanScan(connections, tally, settings, new Placement(scope.current(), scope.other()), paced)
                    .scan(orphans.table(), orphans.shard(), after, done);
        } else if (step instanceof Reference reference) {
            new OrphanScan(connections, tally, settings, new Placement(scope.current(), scope.other()), paced)
                    .compareReference(reference.table(), reference.shards(), watermarks);
        }
    }

    /**
     * What the steps of a run report as they go: a log line when one starts, the throttle and progress after every
     * read, and a checkpoint (at most every five seconds) after every chunk compared.
     */
    private record Reporting(String run, List<Step> steps, Listener listener, VerifyTally tally, long total,
            Throttle throttle, long started, long[] lastCheckpoint) {

        void starting(int at) {
            log.info("verify {}: step {} of {}: {}", run, at + 1, steps.size(), steps.get(at).describe());
        }

        void paced(int at) {
            try {
                Thread.sleep(throttle.waitMillis(tally.rowsRead, System.nanoTime() - started));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VerifyException("verify " + run + " interrupted", e);
            }
            listener.progress(progress(run, steps.get(at).describe(), tally, total, started, false));
        }

        void done(int at, List<Object> upTo) {
            if (System.nanoTime() - lastCheckpoint[0] > 5_000_000_000L) {
                lastCheckpoint[0] = System.nanoTime();
                listener.checkpoint(tally.report(false, upTo == null ? new VerifyCursor(at + 1, null)
                        : new VerifyCursor(at, upTo)));
            }
        }
    }

    /**
     * The columns of a table that an in-place view keeps (such as {@code orders.username}): verify leaves them out,
     * because the view patches them on both sides at once rather than through the owner's log, so the other side may
     * legitimately be ahead of the owner for a moment. The view keeps them equal to their source on its own.
     */
    static Set<String> derivedColumns(Topology topology, TableSpec table) {
        Set<String> columns = new java.util.HashSet<>();
        topology.views().stream().filter(view -> view.inPlace() && view.from().equals(table.name()))
                .forEach(view -> view.columns().keySet().forEach(c -> columns.add(c.toLowerCase(java.util.Locale.ROOT))));
        return columns;
    }

    /** The steps of a scope, in an order that depends only on the topologies. */
    private static List<Step> steps(Scope scope) {
        Topology current = scope.current();
        List<Step> steps = new ArrayList<>();
        List<TableSpec> placed = new ArrayList<>();
        current.tables().stream().filter(t -> t.placement() == TableSpec.Placement.SHARD_KEY).forEach(placed::add);
        current.tables().stream().filter(t -> t.placement() == TableSpec.Placement.PARENT).forEach(placed::add);
        if (scope.other() != null) {
            Map<String, Set<String>> targets = new LinkedHashMap<>();
            for (MoveRange move : StrategyDiff.between(current.strategy(), scope.other().strategy()).moves()) {
                targets.computeIfAbsent(move.from(), s -> new LinkedHashSet<>()).add(move.to());
            }
            for (TableSpec table : placed) {
                for (String owner : current.strategy().shards()) {
                    if (targets.containsKey(owner)) {
                        steps.add(new Moving(table, shard(scope, owner),
                                targets.get(owner).stream().map(id -> shard(scope, id)).toList()));
                    }
                }
            }
            // shards joining the ring receive the reference tables of the first shard: compared like moving rows
            List<String> joining = ReferenceCopies.joining(current, scope.other());
            String truth = ReferenceCopies.truth(current);
            if (!joining.isEmpty() && truth != null) {
                List<ShardSpec> compared = new ArrayList<>(List.of(shard(scope, truth)));
                joining.forEach(id -> compared.add(shard(scope, id)));
                current.tables().stream().filter(t -> t.placement() == TableSpec.Placement.REFERENCE)
                        .forEach(table -> steps.add(new Reference(table, compared)));
            }
        }
        if (scope.all()) {
            Set<String> shards = new LinkedHashSet<>(current.strategy().shards());
            if (scope.other() != null) {
                shards.addAll(scope.other().strategy().shards());
            }
            for (TableSpec table : placed) {
                for (String shard : shards) {
                    steps.add(new Orphans(table, shard(scope, shard)));
                }
            }
            List<ShardSpec> all = shards.stream().map(id -> shard(scope, id)).toList();
            current.tables().stream().filter(t -> t.placement() == TableSpec.Placement.REFERENCE)
                    .forEach(table -> steps.add(new Reference(table, all)));
        }
        return steps;
    }

    private static ShardSpec shard(Scope scope, String id) {
        return scope.current().shard(id).or(() -> scope.other() == null ? java.util.Optional.empty()
                : scope.other().shard(id)).orElseThrow(() -> new VerifyException("shard " + id + " is not declared"));
    }

    /** The rows the run will read on the shards it scans: counted once, for the progress bar. */
    private long count(List<Step> steps, int from, Topology current) {
        long total = 0;
        for (Step step : steps.subList(Math.min(from, steps.size()), steps.size())) {
            ShardSpec shard = step instanceof Moving m ? m.owner() : step instanceof Orphans o ? o.shard() : null;
            TableSpec table = step instanceof Moving m ? m.table() : step instanceof Orphans o ? o.table() : null;
            if (shard == null) {
                continue;
            }
            try (Connection connection = RowReader.prepare(connections.open(shard), shard)) {
                total += new RowReader(shard, table, current).count(connection);
            } catch (SQLException e) {
                throw new VerifyException("verify cannot read " + table.name() + " on " + shard.id() + ": "
                        + e.getMessage(), e);
            }
        }
        return total;
    }

    private static VerifyProgress progress(String run, String step, VerifyTally tally, long total, long started,
            boolean done) {
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        return new VerifyProgress(run, step, tally.rowsScanned, total, tally.chunks, tally.mismatches, tally.orphans,
                tally.rowsScanned / seconds, done);
    }
}
