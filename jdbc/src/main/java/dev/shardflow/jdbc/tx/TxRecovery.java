package dev.shardflow.jdbc.tx;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.jdbc.tx.TxId.BranchName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes the prepared branches a coordinator left behind (it crashed, or lost a shard in phase two), following the
 * decision log: a branch whose transaction has a {@code commit} decision is committed; one without a decision, once
 * it is older than the minimum age, gets an {@code abort} decision — inserted first, so that a coordinator still
 * running cannot commit it after — and is rolled back. The topology service runs it periodically and before a
 * cutover's fence; {@code shardctl tx list|recover} runs it by hand.
 */
public final class TxRecovery {
    private static final Logger log = LoggerFactory.getLogger(TxRecovery.class);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    /**
     * A prepared branch found on a shard.
     *
     * @param decision {@code commit}, {@code abort}, or null when none was made yet (or the deciding shard could
     *     not be read: then {@code problem} says why)
     */
    public record InDoubt(String shard, String transaction, String decider, Instant started, String decision,
            String problem) {}

    /** What a recovery did: branches committed and rolled back, those left (too young, or a shard failed) and why. */
    public record Report(int committed, int rolledBack, int waiting, List<String> problems) {
        public Report {
            problems = List.copyOf(problems);
        }
    }

    private final Supplier<Collection<ShardSpec>> shards;
    private final Function<String, DataSource> pools;
    private final LongSupplier clock;

    /**
     * @param shards every shard that may hold a branch (all shards of both sides of a rebalance)
     * @param pools a data source per shard id, as a user allowed to finish the branches (their owner, or a superuser
     *     on PostgreSQL)
     */
    public TxRecovery(Supplier<Collection<ShardSpec>> shards, Function<String, DataSource> pools) {
        this(shards, pools, System::currentTimeMillis);
    }

    TxRecovery(Supplier<Collection<ShardSpec>> shards, Function<String, DataSource> pools, LongSupplier clock) {
        this.shards = shards;
        this.pools = pools;
        this.clock = clock;
    }

    /** Every prepared branch of shardflow on every shard, with its decision; a shard that cannot be read throws. */
    public List<InDoubt> list() throws SQLException {
        return list(null, null);
    }

    /**
     * As {@link #list()}, on the shards named only (null: all); decisions are read wherever they are. A shard that
     * cannot be read throws, or when {@code unreadable} is given is added to it and the others are listed.
     */
    private List<InDoubt> list(Set<String> on, List<String> unreadable) throws SQLException {
        Map<String, ShardSpec> byId = byId();
        List<InDoubt> found = new ArrayList<>();
        for (ShardSpec shard : byId.values()) {
            if (on != null && !on.contains(shard.id())) {
                continue;
            }
            List<BranchName> names;
            try (Connection connection = pools.apply(shard.id()).getConnection()) {
                names = BranchSql.prepared(connection, shard.engine());
            } catch (SQLException e) {
                String problem = "cannot list the prepared transactions of shard " + shard.id() + ": "
                        + e.getMessage();
                if (unreadable == null) {
                    throw new SQLException(problem, e.getSQLState(), e);
                }
                unreadable.add(problem);
                continue;
            }
            for (BranchName name : names) {
                String decision = null;
                String problem = null;
                ShardSpec decider = byId.get(name.decider());
                if (decider == null) {
                    problem = "its deciding shard " + name.decider() + " is not in the topology";
                } else {
                    try (Connection connection = pools.apply(decider.id()).getConnection()) {
                        connection.setAutoCommit(true);
                        decision = Decisions.read(connection, name.tx());
                    } catch (SQLException e) {
                        problem = missingTable(e) ? null : "its deciding shard " + decider.id() + " cannot be read: "
                                + e.getMessage();
                    }
                }
                found.add(new InDoubt(shard.id(), name.tx().id(), name.decider(),
                        Instant.ofEpochMilli(name.tx().startedAtMillis()), decision, problem));
            }
        }
        return found;
    }

    /**
     * Finishes every branch by its decision; decides {@code abort} for those without one that started at least
     * {@code minAge} ago. A shard that cannot be read or fails is reported in {@link Report#problems} and the others
     * go on.
     */
    public Report recover(Duration minAge) throws SQLException {
        return recover(minAge, null);
    }

    /**
     * As {@link #recover(Duration)}, for the branches on the shards named only — the sources of a cutover, whose
     * prepared branches must be finished before its fence markers are written.
     */
    public Report recover(Duration minAge, Set<String> on) throws SQLException {
        Map<String, ShardSpec> byId = byId();
        int committed = 0;
        int rolledBack = 0;
        int waiting = 0;
        List<String> problems = new ArrayList<>();
        for (InDoubt branch : list(on, problems)) {
            if (branch.problem() != null) {
                problems.add("transaction " + branch.transaction() + " on shard " + branch.shard() + ": "
                        + branch.problem());
                waiting++;
                continue;
            }
            String decision = branch.decision();
            TxId tx = TxId.parse(branch.transaction());
            if (decision == null) {
                long age = clock.getAsLong() - tx.startedAtMillis();
                if (age < minAge.toMillis()) {
                    waiting++;
                    continue;
                }
                try {
                    decision = decideAbort(byId.get(branch.decider()), tx, branch.shard());
                } catch (SQLException e) {
                    problems.add("transaction " + tx.id() + ": cannot decide on shard " + branch.decider() + ": "
                            + e.getMessage());
                    waiting++;
                    continue;
                }
            }
            boolean commit = Decisions.COMMIT.equals(decision);
            ShardSpec shard = byId.get(branch.shard());
            try (Connection connection = pools.apply(shard.id()).getConnection()) {
                boolean finished = BranchSql.finish(connection, shard.engine(), new BranchName(tx, branch.decider()),
                        commit);
                if (finished) {
                    log.info("transaction {}: {} its prepared branch on shard {} by the decision on {}", tx.id(),
                            commit ? "committed" : "rolled back", shard.id(), branch.decider());
                    if (!commit && shard.engine() != Engine.POSTGRESQL) {
                        log.error("transaction {}: XA branch on shard {} was rolled back after its prepare; MariaDB/"
                                + "MySQL wrote its rows to the binlog at prepare, so capture may have sent changes "
                                + "that never committed: verify shard {} before trusting its copies and views",
                                tx.id(), shard.id(), shard.id());
                    }
                }
                if (!finished) {
                    continue; // another recovery, or the coordinator, finished it meanwhile
                }
                if (commit) {
                    committed++;
                } else {
                    rolledBack++;
                }
            } catch (SQLException e) {
                problems.add("transaction " + tx.id() + ": cannot " + (commit ? "commit" : "roll back") + " its "
                        + "branch on shard " + shard.id() + ": " + e.getMessage());
                waiting++;
            }
        }
        return new Report(committed, rolledBack, waiting, problems);
    }

    /**
     * Deletes decisions older than {@code keep} that no prepared branch needs any more; returns how many. Keep them
     * longer than any coordinator may run ({@link TxId#MAX_AGE}): an {@code abort} decision is what stops a
     * paused coordinator from committing after it resumes.
     */
    public int prune(Duration keep) throws SQLException {
        if (keep.compareTo(TxId.MAX_AGE.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("decisions must be kept at least " + TxId.MAX_AGE
                    .multipliedBy(2) + ", twice the longest a coordinator may run; was " + keep);
        }
        Set<String> needed = new HashSet<>();
        for (InDoubt branch : list()) {
            needed.add(branch.transaction());
        }
        int pruned = 0;
        Instant before = Instant.ofEpochMilli(clock.getAsLong()).minus(keep);
        for (ShardSpec shard : byId().values()) {
            try (Connection connection = pools.apply(shard.id()).getConnection()) {
                connection.setAutoCommit(true);
                for (String txid : Decisions.olderThan(connection, before).keySet()) {
                    if (!needed.contains(txid)) {
                        Decisions.delete(connection, TxId.parse(txid));
                        pruned++;
                    }
                }
            } catch (SQLException e) {
                if (!missingTable(e)) {
                    throw e;
                }
            }
        }
        return pruned;
    }

    /** Inserts {@code abort} unless a decision exists; returns the decision that stands. */
    private String decideAbort(ShardSpec decider, TxId tx, String branchShard) throws SQLException {
        try (Connection connection = pools.apply(decider.id()).getConnection()) {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                // a coordinator committing right now holds the key: wait for it, boundedly
                statement.execute(decider.engine() == Engine.POSTGRESQL
                        ? "SET lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'"
                        : "SET SESSION innodb_lock_wait_timeout = " + LOCK_WAIT.toSeconds());
            }
            Decisions.create(connection, decider.engine());
            try {
                Decisions.insert(connection, tx, Decisions.ABORT, "recovery, for the branch on " + branchShard);
                log.info("transaction {}: no decision {} after it started; decided abort on shard {}", tx.id(),
                        Duration.ofMillis(clock.getAsLong() - tx.startedAtMillis()), decider.id());
                return Decisions.ABORT;
            } catch (SQLException e) {
                if (BranchSql.duplicateKey(e, decider.engine())) {
                    return Decisions.read(connection, tx); // the coordinator decided first
                }
                throw e;
            }
        }
    }

    private Map<String, ShardSpec> byId() {
        Map<String, ShardSpec> byId = new LinkedHashMap<>();
        for (ShardSpec shard : shards.get()) {
            byId.putIfAbsent(shard.id(), shard);
        }
        return byId;
    }

    /** The decision table does not exist yet on that shard: nothing was ever decided there. */
    private static boolean missingTable(SQLException e) {
        return "42P01".equals(e.getSQLState()) || e.getErrorCode() == 1146;
    }
}
