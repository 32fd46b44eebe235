package dev.shardflow.quickstart;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * With {@code --ddl-demo}: a schema change in the middle of the copy, as an application's migration makes it. Every
 * source shard gets {@code ALTER TABLE users ADD COLUMN nickname VARCHAR(40) NULL}, and users with a nickname that
 * move to the new shard are inserted; nobody touches the new shard. Once the move is complete, the new shard must
 * have the column and each of those users with their nickname — made there by its writer, from the schema event
 * capture sent ahead of the first row that has the column.
 */
final class DdlDemo {
    static final String STATEMENT = "ALTER TABLE users ADD COLUMN nickname VARCHAR(40) NULL";
    private static final int USERS = 50;

    private final Map<String, DatabaseShard> sources;
    private final DatabaseShard added;
    private final List<Long> written = new ArrayList<>();

    DdlDemo(Map<String, DatabaseShard> sources, DatabaseShard added) {
        this.sources = sources;
        this.added = added;
    }

    /** What the new shard had once the move was complete. */
    record Outcome(String column, int expected, int found) {
        boolean passed() {
            return column != null && found == expected;
        }
    }

    /**
     * Changes every source and inserts {@value #USERS} users with a nickname, each on its owner before the move and
     * moving to the new shard; their ids follow {@code firstId}.
     */
    void change(Topology before, Topology after, long firstId) {
        for (DatabaseShard source : sources.values()) {
            source.execute(STATEMENT);
        }
        long id = firstId;
        while (written.size() < USERS) {
            id++;
            String owner = before.strategy().ownerOf(id);
            if (!after.strategy().ownerOf(id).equals(added.id())) {
                continue;
            }
            sources.get(owner).execute("INSERT INTO users (id, username, email, country, created_at, version, "
                    + "nickname) VALUES (" + id + ", 'ddl" + id + "', 'ddl" + id + "@example.com', 'NL', "
                    + "'2025-01-01 10:00:00', 1, '" + nickname(id) + "')");
            written.add(id);
        }
    }

    /** The column on the new shard and the users found there with their nickname. */
    Outcome outcome() throws SQLException {
        try (Connection connection = added.connect()) {
            String column = null;
            try (ResultSet columns = connection.getMetaData().getColumns(connection.getCatalog(),
                    connection.getSchema(), "users", "nickname")) {
                if (columns.next()) {
                    column = columns.getString("TYPE_NAME").toLowerCase(java.util.Locale.ROOT) + "("
                            + columns.getInt("COLUMN_SIZE") + ")";
                }
            }
            int found = 0;
            if (column != null) {
                try (PreparedStatement select = connection.prepareStatement("SELECT nickname FROM users WHERE id = ?")) {
                    for (long id : written) {
                        select.setLong(1, id);
                        try (ResultSet row = select.executeQuery()) {
                            found += row.next() && nickname(id).equals(row.getString(1)) ? 1 : 0;
                        }
                    }
                }
            }
            return new Outcome(column, written.size(), found);
        }
    }

    private static String nickname(long id) {
        return "nick-" + id;
    }
}
