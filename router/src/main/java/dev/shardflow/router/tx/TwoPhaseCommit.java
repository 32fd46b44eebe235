package dev.shardflow.router.tx;

import dev.shardflow.jdbc.tx.BranchSql;
import dev.shardflow.jdbc.tx.Decisions;
import dev.shardflow.jdbc.tx.TxId;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.tx.TxId.BranchName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of a transaction across shards, with the decision logged on one of its own participants:
 * <ol>
 *   <li>every branch runs the work; every branch but the deciding one is prepared (PostgreSQL
 *       {@code PREPARE TRANSACTION}, MariaDB/MySQL {@code XA PREPARE});</li>
 *   <li>the deciding shard commits its own branch as a local transaction that also inserts {@code commit} into its
 *       {@link Decisions decision log}: that commit is the decision, durable before phase two;</li>
 *   <li>every prepared branch is committed ({@code COMMIT PREPARED}, {@code XA COMMIT}).</li>
 * </ol>
 * A crash anywhere leaves prepared branches that {@link TxRecovery} finishes by the log: commit where the decision
 * row exists; otherwise it inserts {@code abort} first — the row's key lets only one of a slow coordinator and a
 * recovery decide — and rolls them back.
 *
 * <p>The deciding shard is a MariaDB/MySQL participant when there is one: a prepared XA branch reaches the binlog,
 * and capture, at prepare, so one that is later rolled back leaves rows in the change topics that never committed.
 * Deciding there keeps a transaction with one MariaDB/MySQL participant free of XA; with more, the others are
 * prepared last, just before the decision, and a rollback of one after its prepare is logged as an error naming it.
 *
 * <p>One role in one file, longer than most: the three phases and what to undo when each fails read as one
 * protocol, in the order it runs.
 */
public final class TwoPhaseCommit {
    private static final Logger log = LoggerFactory.getLogger(TwoPhaseCommit.class);

    private final Function<String, ShardSpec> shards;
    private final Function<String, DataSource> pools;
    private final Duration lockTimeout;
    private final LongSupplier clock;
    private final Set<String> decisionTables = ConcurrentHashMap.newKeySet();
    private final Counter committed;
    private final Counter aborted;
    private final Counter inDoubt;
    private final Counter leftToRecovery;
    private final Counter xaRolledBackAfterPrepare;

    public TwoPhaseCommit(Function<String, ShardSpec> shards, Function<String, DataSource> pools, Duration lockTimeout,
            MeterRegistry registry) {
        this(shards, pools, lockTimeout, registry, System::currentTimeMillis);
    }

    TwoPhaseCommit(Function<String, ShardSpec> shards, Function<String, DataSource> pools, Duration lockTimeout,
            MeterRegistry registry, LongSupplier clock) {
        this.shards = shards;
        this.pools = pools;
        this.lockTimeout = lockTimeout;
        this.clock = clock;
        String name = "shardflow.router.transactions";
        String description = "cross-shard transactions, by outcome";
        this.committed = Counter.builder(name).tag("outcome", "committed").description(description).register(registry);
        this.aborted = Counter.builder(name).tag("outcome", "aborted").description(description).register(registry);
        this.inDoubt = Counter.builder(name).tag("outcome", "in_doubt").description(description).register(registry);
        this.leftToRecovery = Counter.builder("shardflow.router.transactions.left.to.recovery")
                .description("committed transactions whose phase two failed on a shard; recovery finishes them")
                .register(registry);
        this.xaRolledBackAfterPrepare = Counter.builder("shardflow.router.transactions.xa.rolled.back")
                .description("XA branches rolled back after their prepare reached the binlog").register(registry);
    }

    /** One shard's part of the transaction: its connection and where it stands. */
    private static final class Branch {
        final String shard;
        final Engine engine;
        final Connection connection;
        final boolean deciding;
        boolean prepared;

        Branch(String shard, Engine engine, Connection connection, boolean deciding) {
            this.shard = shard;
            this.engine = engine;
            this.connection = connection;
            this.deciding = deciding;
        }

        boolean xa() {
            return engine != Engine.POSTGRESQL && !deciding;
        }
    }

    /**
     * Runs {@code work} across the owners of its keys, atomically.
     *
     * @param owners each key the work touches and its owner, as admitted
     * @throws TransactionAbortedException rolled back everywhere (the work's own exception is its cause)
     * @throws TransactionInDoubtException the decision could not be confirmed; recovery finishes it
     */
    public <T> T run(Map<Object, String> owners, CrossShard.Work<T> work) throws SQLException {
        List<String> participants = owners.values().stream().distinct().sorted().toList();
        if (participants.size() == 1) {
            return local(participants.get(0), owners, work);
        }
        String decider = participants.stream().filter(s -> shards.apply(s).engine() != Engine.POSTGRESQL)
                .findFirst().orElse(participants.get(0));
        TxId tx = TxId.next(clock.getAsLong());
        ensureDecisionTable(decider);
        Map<String, Branch> branches = new LinkedHashMap<>();
        try {
            for (String shard : participants) {
                Engine engine = shards.apply(shard).engine();
                Connection connection = pools.apply(shard).getConnection();
                Branch branch = new Branch(shard, engine, connection, shard.equals(decider));
                branches.put(shard, branch);
                BranchSql.begin(connection, engine, name(tx, decider), !branch.deciding, lockTimeout);
            }
            T result = work.run(crossShard(tx.id(), owners, branches));
            return commit(tx, decider, branches, result);
        } catch (SQLException | RuntimeException e) {
            if (e instanceof TransactionInDoubtException) {
                throw e;
            }
            rollback(tx, decider, branches.values(), e);
            aborted.increment();
            if (e instanceof TransactionAbortedException) {
                throw e;
            }
            throw new TransactionAbortedException("transaction " + tx.id() + " across " + participants
                    + " was rolled back on every shard: " + e.getMessage(), e);
        } finally {
            for (Branch branch : branches.values()) {
                close(branch.connection);
            }
        }
    }

    private <T> T commit(TxId tx, String decider, Map<String, Branch> branches, T result) throws SQLException {
        // PostgreSQL branches first: their prepare reaches no change stream; XA branches last, next to the decision
        List<Branch> toPrepare = new ArrayList<>(branches.values().stream().filter(b -> !b.deciding).toList());
        toPrepare.sort(Comparator.comparing(Branch::xa));
        for (Branch branch : toPrepare) {
            BranchSql.prepare(branch.connection, branch.engine, name(tx, decider));
            branch.prepared = true;
        }
        if (clock.getAsLong() - tx.startedAtMillis() > TxId.MAX_AGE.toMillis()) {
            throw new TransactionAbortedException("transaction " + tx.id() + " ran longer than " + TxId.MAX_AGE
                    + "; a recovery may have decided it, so it is not committed", null);
        }
        Branch deciding = branches.get(decider);
        try {
            Decisions.insert(deciding.connection, tx, Decisions.COMMIT, String.join(",", branches.keySet()));
        } catch (SQLException e) {
            if (BranchSql.duplicateKey(e, deciding.engine)) {
                throw new TransactionAbortedException("transaction " + tx.id() + " was decided by a recovery "
                        + "while it ran (it took too long, or its router lost Kafka); rolled back", e);
            }
            throw e;
        }
        try {
            deciding.connection.commit();
        } catch (SQLException e) {
            inDoubt.increment();
            log.error("transaction {}: the commit of its decision on shard {} failed ({}); its prepared branches on {} "
                    + "wait for recovery, which finishes them by the decision log", tx.id(), decider, e.getMessage(),
                    toPrepare.stream().map(b -> b.shard).toList());
            throw new TransactionInDoubtException(tx.id(), "transaction " + tx.id() + " is in doubt: the commit of its "
                    + "decision on shard " + decider + " failed (" + e.getMessage() + "); recovery finishes it", e);
        }
        boolean allFinished = true;
        for (Branch branch : toPrepare) {
            try {
                BranchSql.finish(branch.connection, branch.engine, name(tx, decider), true);
            } catch (SQLException e) {
                allFinished = false;
                leftToRecovery.increment();
                log.warn("transaction {} committed, but phase two failed on shard {} ({}); recovery commits that "
                        + "branch", tx.id(), branch.shard, e.getMessage());
            }
        }
        if (allFinished) {
            try {
                Decisions.delete(deciding.connection, tx);
                deciding.connection.commit();
            } catch (SQLException e) {
                log.debug("transaction {}: its decision stays until recovery prunes it: {}", tx.id(), e.getMessage());
            }
        }
        committed.increment();
        return result;
    }

    /** Rolls back every branch, prepared or not; what cannot be rolled back now is left to recovery. */
    private void rollback(TxId tx, String decider, java.util.Collection<Branch> branches, Exception cause) {
        for (Branch branch : branches) {
            try {
                if (branch.prepared) {
                    BranchSql.finish(branch.connection, branch.engine, name(tx, decider), false);
                    if (branch.xa()) {
                        xaRolledBackAfterPrepare.increment();
                        log.error("transaction {}: XA branch on shard {} was rolled back after its prepare; MariaDB/"
                                + "MySQL wrote its rows to the binlog at prepare, so capture may have sent changes "
                                + "that never committed: verify shard {} before trusting its copies and views",
                                tx.id(), branch.shard, branch.shard);
                    }
                } else {
                    BranchSql.rollbackActive(branch.connection, branch.engine, name(tx, decider), branch.xa());
                }
            } catch (SQLException e) {
                cause.addSuppressed(e);
                log.warn("transaction {}: rolling back its branch on shard {} failed ({}); recovery rolls it back",
                        tx.id(), branch.shard, e.getMessage());
            }
        }
    }

    private <T> T local(String shard, Map<Object, String> owners, CrossShard.Work<T> work) throws SQLException {
        try (Connection connection = pools.apply(shard).getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(new CrossShard() {
                    @Override
                    public Connection on(Object shardKey) {
                        declared(owners, shardKey);
                        return connection;
                    }

                    @Override
                    public String id() {
                        return null;
                    }
                });
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        }
    }

    private static CrossShard crossShard(String id, Map<Object, String> owners, Map<String, Branch> branches) {
        return new CrossShard() {
            @Override
            public Connection on(Object shardKey) {
                return branches.get(declared(owners, shardKey)).connection;
            }

            @Override
            public String id() {
                return id;
            }
        };
    }

    private static String declared(Map<Object, String> owners, Object shardKey) {
        String owner = owners.get(shardKey);
        if (owner == null) {
            throw new IllegalArgumentException("key " + shardKey + " is not one this transaction declared: declare "
                    + "every key it touches, so that a cutover fence waits for it");
        }
        return owner;
    }

    private void ensureDecisionTable(String shard) throws SQLException {
        if (decisionTables.contains(shard)) {
            return;
        }
        synchronized (decisionTables) {
            if (!decisionTables.contains(shard)) {
                try (Connection connection = pools.apply(shard).getConnection()) {
                    Decisions.create(connection, shards.apply(shard).engine());
                    if (!connection.getAutoCommit()) {
                        connection.commit();
                    }
                }
                decisionTables.add(shard);
            }
        }
    }

    private static BranchName name(TxId tx, String decider) {
        return new BranchName(tx, decider);
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing a branch's connection: {}", e.getMessage());
        }
    }
}
