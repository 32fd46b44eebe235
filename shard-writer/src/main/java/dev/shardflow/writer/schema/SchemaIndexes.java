package dev.shardflow.writer.schema;

import dev.shardflow.core.schema.IndexDefinition;
import dev.shardflow.core.schema.SchemaEvent;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.jdbc.CatalogIndexes;
import dev.shardflow.jdbc.CatalogTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes on a target the secondary indexes a source's table has and the target's lacks, once the target's columns fit.
 * An index changes no row, so none is ever waited for: one is made without blocking the table's writes where the
 * engine can (PostgreSQL {@code CREATE INDEX CONCURRENTLY}, MariaDB/MySQL {@code ALGORITHM=INPLACE, LOCK=NONE}), and
 * one the target cannot take — a unique index its rows break, a name another table's index has — is named in the log
 * with the reason, once per writer process, and left out; the rows go on. An index dropped on a source stays on the
 * targets: dropping one is the operator's call.
 */
final class SchemaIndexes {
    private static final Logger log = LoggerFactory.getLogger(SchemaIndexes.class);

    private final String shard;
    private final Engine engine;
    private final SchemaStatements statements;
    /** Indexes that failed here, by table and definition: not tried again by this process. */
    private final Set<String> failed = new HashSet<>();
    /**
     * By source and table, the last index list found settled here: each index made, present or failed. Every copy
     * of a definition (one per partition and path) lists the same indexes, and one that is settled is not read from
     * the catalog again.
     */
    private final Map<String, List<IndexDefinition>> settled = new HashMap<>();

    SchemaIndexes(String shard, Engine engine, SchemaStatements statements) {
        this.shard = shard;
        this.engine = engine;
        this.statements = statements;
    }

    /**
     * Makes the indexes of {@code event} the target lacks; leaves the connection with nothing open, autocommit off.
     *
     * @throws SQLException when the target cannot be read or reached; the batch is tried again
     */
    void make(Connection connection, String source, SchemaEvent event) throws SQLException {
        if (event.indexes() == null || event.indexes().isEmpty()) {
            return;
        }
        String table = event.table();
        String key = source + '\u0000' + table;
        if (event.indexes().equals(settled.get(key))) {
            return;
        }
        Optional<CatalogTable> target = CatalogTable.read(connection, engine, table);
        if (target.isEmpty()) {
            return;
        }
        List<IndexDefinition> present = CatalogIndexes.read(connection, table);
        boolean allSettled = true;
        for (IndexDefinition wanted : event.indexes()) {
            String id = table + " " + wanted;
            if (failed.contains(id) || present.stream().anyMatch(wanted::coveredBy)) {
                continue;
            }
            if (!wanted.columns().stream().allMatch(c -> target.get().column(c).isPresent())) {
                allSettled = false; // its columns come with a later definition, which reads the catalog again
                continue;
            }
            try {
                create(connection, table, wanted);
                log.info("writer {}: made {}'s index of {} here: {}", shard, source, table, wanted);
            } catch (SQLException e) {
                if (SchemaChanges.retried(e)) {
                    throw e;
                }
                failed.add(id);
                log.warn("writer {}: shard {} has {} on {}, and it cannot be made here ({}); the rows go on without "
                        + "it: make it on this target if it is needed", shard, source, wanted, table, e.getMessage());
            }
        }
        if (allSettled) {
            settled.put(key, List.copyOf(event.indexes()));
        }
    }

    /** Drops {@code name} if it is an index of {@code table} that a failed concurrent build left invalid. */
    private void dropIfInvalid(Connection connection, String table, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT NOT i.indisvalid FROM pg_index i WHERE "
                + "i.indexrelid = to_regclass(?) AND i.indrelid = to_regclass(?)")) {
            select.setString(1, statements.quote(name));
            select.setString(2, statements.quote(table));
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !row.getBoolean(1)) {
                    return;
                }
            }
        }
        try (Statement drop = connection.createStatement()) {
            drop.execute("DROP INDEX CONCURRENTLY IF EXISTS " + statements.quote(name));
        }
    }

    private void create(Connection connection, String table, IndexDefinition index) throws SQLException {
        connection.setAutoCommit(true); // CREATE INDEX CONCURRENTLY runs outside a transaction
        try (Statement statement = connection.createStatement()) {
            if (engine == Engine.POSTGRESQL) {
                statement.execute("SET lock_timeout = '5s'");
                try {
                    statement.execute(statements.createIndex(table, index, true));
                } catch (SQLException e) {
                    // a partitioned table takes no concurrent build (0A000), and gets a plain one; a concurrent build
                    // that failed on the way leaves an invalid index of its own behind, which goes
                    if ("0A000".equals(e.getSQLState())) {
                        statement.execute(statements.createIndex(table, index, false));
                        return;
                    }
                    dropIfInvalid(connection, table, index.name());
                    throw e;
                }
            } else if (engine == Engine.MARIADB) {
                statement.execute("SET STATEMENT lock_wait_timeout = 5 FOR " + statements.createIndex(table, index,
                        true));
            } else {
                statement.execute(statements.createIndex(table, index, false));
            }
        } finally {
            try (Statement reset = connection.createStatement()) {
                if (engine == Engine.POSTGRESQL) {
                    reset.execute("RESET lock_timeout");
                }
            }
            connection.setAutoCommit(false);
        }
    }
}
