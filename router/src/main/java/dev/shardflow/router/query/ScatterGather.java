package dev.shardflow.router.query;

import dev.shardflow.core.strategy.CompositeStrategy;
import dev.shardflow.core.strategy.ShardingStrategy;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.jdbc.CanonicalColumns;
import dev.shardflow.router.query.QueryResult.ShardAnswer;
import dev.shardflow.router.query.QueryShape.Mode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one SELECT on every shard of the topology in force, in parallel and each within its timeout, and merges the
 * answers exactly ({@link PartialMerge}). While a rebalance runs, a shard that may hold rows it does not own — the
 * copies a move made on its target, or the rows a cutover handed to their new owner — contributes only the keys it
 * owns at the epoch in force, so every row counts once. If the epoch changes while a query runs, the query runs
 * again (at most {@value #ATTEMPTS} times), so an answer is always of one epoch.
 */
public final class ScatterGather implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScatterGather.class);
    static final int ATTEMPTS = 3;

    private final Supplier<Placement> placement;
    private final Function<String, DataSource> dataSources;
    private final ExecutorService executor;

    /**
     * @param placement the ownership in force now; a different object means it may have changed
     * @param dataSources a pooled data source per shard id (connections that do not auto-commit)
     */
    public ScatterGather(String name, Supplier<Placement> placement, Function<String, DataSource> dataSources) {
        this.placement = placement;
        this.dataSources = dataSources;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "shardflow-query-" + name + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs the query and merges its answers.
     *
     * @throws QueryRefusedException the statement cannot be run across shards exactly (nothing ran)
     * @throws ShardQueryException a shard failed or timed out and no partial answer was asked for
     */
    public QueryResult run(ScatterQuery query) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            Placement before = placement.get();
            QueryResult result = runOnce(query, before);
            if (placement.get() == before) {
                return result;
            }
            if (attempt == ATTEMPTS) {
                throw new SQLException("the topology of keyspace " + before.current().keyspace() + " changed while "
                        + "each of " + ATTEMPTS + " attempts of the query ran; run it again", "40001");
            }
            log.info("the topology changed during a query (epoch {}); running it again", before.current().epoch());
        }
    }

    private QueryResult runOnce(ScatterQuery query, Placement ownership) throws SQLException {
        Topology current = ownership.current();
        QueryShape shape = ShapeReader.read(query.sql(), query.params(), current);
        List<String> shards = shape.mode() == Mode.ONE_SHARD ? current.strategy().shards().subList(0, 1)
                : current.strategy().shards();
        Set<String> mayHoldOthers = ownership.other() == null || shape.mode() == Mode.ONE_SHARD ? Set.of()
                : Set.copyOf(ownership.other().strategy().shards());
        if (!mayHoldOthers.isEmpty() && (shape.ownerKey() == null
                || current.strategy() instanceof CompositeStrategy)) {
            throw new QueryRefusedException("a rebalance of keyspace " + current.keyspace() + " is running, so some "
                    + "shards hold copies of rows they do not own, and this statement cannot tell them apart: "
                    + (shape.ownerKey() == null ? shape.noOwnerKey()
                    : "rows placed by two values (a composite strategy) are not filtered by owner")
                    + "; run it after the rebalance completes");
        }
        long deadline = System.nanoTime() + query.timeout().toNanos();
        Map<String, Future<Answer>> running = new LinkedHashMap<>();
        Map<String, AtomicReference<PreparedStatement>> statements = new LinkedHashMap<>();
        for (String shard : shards) {
            ShardSpec spec = current.shard(shard).orElseThrow();
            AtomicReference<PreparedStatement> statement = new AtomicReference<>();
            statements.put(shard, statement);
            boolean filter = mayHoldOthers.contains(shard);
            running.put(shard, executor.submit(() -> ask(spec, shape, query, filter ? current.strategy() : null,
                    deadline, statement)));
        }
        List<Object[]> rows = new ArrayList<>();
        List<String> columns = shape.mode() == Mode.MERGED_GROUPS
                ? shape.outputs().stream().map(QueryShape.Output::name).toList() : null;
        Map<String, ShardAnswer> answered = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        Throwable first = null;
        for (Map.Entry<String, Future<Answer>> shard : running.entrySet()) {
            try {
                Answer answer = shard.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                rows.addAll(answer.rows());
                columns = columns == null ? answer.columns() : columns;
                answered.put(shard.getKey(), answer.summary());
            } catch (TimeoutException e) {
                cancel(statements.get(shard.getKey()).get());
                shard.getValue().cancel(true);
                failed.put(shard.getKey(), "no answer within " + query.timeout().toMillis() + " ms");
                first = first == null ? e : first;
            } catch (ExecutionException e) {
                failed.put(shard.getKey(), describe(e.getCause()));
                first = first == null ? e.getCause() : first;
            } catch (CancellationException e) {
                failed.put(shard.getKey(), "cancelled");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.values().forEach(f -> f.cancel(true));
                throw new SQLException("interrupted while waiting for the shards' answers", e);
            }
        }
        if (!failed.isEmpty() && (!query.partial() || answered.isEmpty())) {
            throw new ShardQueryException(failed, first);
        }
        List<List<Object>> merged = PartialMerge.merge(shape, rows);
        String merge = shape.explain() + (mayHoldOthers.isEmpty() ? "" : "; a rebalance is running: each shard "
                + "counted only the keys it owns at epoch " + current.epoch());
        return new QueryResult(columns == null ? List.of() : columns, merged, current.epoch(), !mayHoldOthers.isEmpty(),
                merge, answered, failed);
    }

    /** One shard's rows (owner-key column removed), its column labels, and what it did. */
    private record Answer(List<Object[]> rows, List<String> columns, ShardAnswer summary) {}

    private Answer ask(ShardSpec shard, QueryShape shape, ScatterQuery query, ShardingStrategy owners, long deadline,
            AtomicReference<PreparedStatement> current) throws SQLException {
        long started = System.nanoTime();
        try (Connection connection = dataSources.apply(shard.id()).getConnection()) {
            try {
                boolean filter = owners != null;
                boolean[] text = null;
                Long wanted = shape.limitPushedDown() ? shape.offset() + shape.limit() : null;
                if (wanted != null && !shape.order().isEmpty()) {
                    text = run(connection, ShardSql.of(shape, shard.engine(), filter, 0L, null), shape, query,
                            shard.engine(), deadline, current).textOrder();
                }
                Long fetch = wanted;
                while (true) {
                    Read read = run(connection, ShardSql.of(shape, shard.engine(), filter, fetch, text), shape, query,
                            shard.engine(), deadline, current);
                    List<Object[]> owned = filter ? owned(read.rows(), owners, shard.id()) : read.rows();
                    // a limited shard whose first rows included some it does not own reads further until it has
                    // enough of its own, or has no more
                    if (fetch == null || read.rows().size() < fetch || owned.size() >= wanted) {
                        long notOwned = read.rows().size() - owned.size();
                        return new Answer(owned, read.columns(), new ShardAnswer(read.rows().size(), notOwned,
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
                    }
                    fetch = fetch * 2 + (read.rows().size() - owned.size());
                }
            } finally {
                connection.rollback(); // a read: end its transaction, keep nothing open in the pool
            }
        }
    }

    /** A shard's rows as read, its answer's column labels, and which of its ORDER BY items are text. */
    private record Read(List<Object[]> rows, List<String> columns, boolean[] textOrder) {}

    private static Read run(Connection connection, String sql, QueryShape shape, ScatterQuery query, Engine engine,
            long deadline, AtomicReference<PreparedStatement> current) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            current.set(statement);
            long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime() + 999_999_999L);
            statement.setQueryTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left)));
            statement.setFetchSize(1_000);
            for (int p = 0; p < shape.bound(); p++) {
                statement.setObject(p + 1, query.params().get(p));
            }
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                int count = meta.getColumnCount();
                CanonicalColumns.Column[] reads = new CanonicalColumns.Column[count];
                List<String> labels = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    reads[i] = CanonicalColumns.column(meta, i + 1, engine);
                    labels.add(meta.getColumnLabel(i + 1));
                }
                List<Object[]> rows = new ArrayList<>();
                while (result.next()) {
                    Object[] row = new Object[count];
                    for (int i = 0; i < count; i++) {
                        row[i] = reads[i].read(result);
                    }
                    rows.add(row);
                }
                int owner = labels.get(count - 1).equalsIgnoreCase("sf_key") ? 1 : 0;
                int visible = count - ShardSql.hiddenOrderColumns(shape) - owner;
                return new Read(rows, labels.subList(0, Math.max(0, visible)), textOrder(meta, visible,
                        ShardSql.hiddenOrderColumns(shape)));
            } finally {
                current.set(null);
            }
        }
    }

    /** Which ORDER BY items are text, from the types of the hidden order columns. */
    private static boolean[] textOrder(ResultSetMetaData meta, int first, int count) throws SQLException {
        boolean[] text = new boolean[count];
        for (int o = 0; o < count; o++) {
            text[o] = switch (meta.getColumnType(first + o + 1)) {
                case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR,
                        Types.CLOB, Types.NCLOB -> true;
                default -> false;
            };
        }
        return text;
    }

    /** The rows whose key this shard owns; the owner-key column (last) removed. */
    private static List<Object[]> owned(List<Object[]> rows, ShardingStrategy owners, String shard) {
        List<Object[]> owned = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            Object key = row[row.length - 1];
            boolean mine;
            try {
                mine = key == null || owners.ownerOf(key).equals(shard);
            } catch (IllegalArgumentException unplaceable) {
                mine = true; // a key no strategy places was never moved: it counts where it is
            }
            if (mine) {
                owned.add(java.util.Arrays.copyOf(row, row.length - 1));
            }
        }
        return owned;
    }

    private static void cancel(PreparedStatement statement) {
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                log.debug("cancelling a timed-out shard query: {}", e.getMessage());
            }
        }
    }

    private static String describe(Throwable cause) {
        return cause instanceof SQLException sql && sql.getSQLState() != null
                ? sql.getMessage() + " (SQL state " + sql.getSQLState() + ")" : String.valueOf(cause.getMessage());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
