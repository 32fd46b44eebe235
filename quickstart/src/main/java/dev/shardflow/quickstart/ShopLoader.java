package dev.shardflow.quickstart;

import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.db.DatabaseShard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Loads the sample shop straight into its shards, each row on its owner: users {@code 1..users} and orders
 * {@code 1..orders}, order {@code i} belonging to user {@code 1 + i % users}, in multi-row inserts.
 */
final class ShopLoader {
    private static final int ROWS_PER_STATEMENT = 500;

    private ShopLoader() {}

    /** @param loaded gets the number of rows loaded so far, after every statement */
    static void load(Topology ring, Map<String, DatabaseShard> shards, int users, int orders, LongConsumer loaded)
            throws SQLException {
        Map<String, List<long[]>> userRows = new HashMap<>();
        for (long id = 1; id <= users; id++) {
            userRows.computeIfAbsent(ring.strategy().ownerOf(id), s -> new ArrayList<>()).add(new long[] {id});
        }
        Map<String, List<long[]>> orderRows = new HashMap<>();
        for (long id = 1; id <= orders; id++) {
            long user = 1 + id % users;
            orderRows.computeIfAbsent(ring.strategy().ownerOf(user), s -> new ArrayList<>()).add(new long[] {id, user});
        }
        long[] done = {0};
        for (Map.Entry<String, DatabaseShard> shard : shards.entrySet()) {
            try (Connection connection = shard.getValue().connect()) {
                connection.setAutoCommit(false);
                insert(connection, "INSERT INTO users (id, username, email, country, created_at, version) VALUES ",
                        "(?, ?, ?, ?, ?, 1)", userRows.getOrDefault(shard.getKey(), List.of()), (statement, p, row) -> {
                            statement.setLong(p, row[0]);
                            statement.setString(p + 1, "user" + row[0]);
                            statement.setString(p + 2, "u" + row[0] + "@example.com");
                            statement.setString(p + 3, row[0] % 7 == 0 ? null : row[0] % 2 == 0 ? "DE" : "FR");
                            statement.setObject(p + 4, LocalDateTime.of(2026, 1, 1, 12, 0).plusSeconds(row[0]));
                            return p + 5;
                        }, done, loaded);
                insert(connection, "INSERT INTO orders (id, user_id, order_date, total_amount, status, username, "
                        + "version) VALUES ", "(?, ?, ?, ?, 'pending', ?, 1)",
                        orderRows.getOrDefault(shard.getKey(), List.of()), (statement, p, row) -> {
                            statement.setLong(p, row[0]);
                            statement.setLong(p + 1, row[1]);
                            statement.setObject(p + 2, LocalDate.of(2026, 1, 1).plusDays(row[0] % 300));
                            statement.setBigDecimal(p + 3, java.math.BigDecimal.valueOf(1_000 + row[0] % 9_000, 2));
                            statement.setString(p + 4, "user" + row[1]);
                            return p + 5;
                        }, done, loaded);
            }
        }
    }

    private interface Binder {
        int bind(PreparedStatement statement, int parameter, long[] row) throws SQLException;
    }

    private static void insert(Connection connection, String head, String row, List<long[]> rows, Binder binder,
            long[] done, LongConsumer loaded) throws SQLException {
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<long[]> batch = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(head
                    + String.join(", ", Collections.nCopies(batch.size(), row)))) {
                int p = 1;
                for (long[] values : batch) {
                    p = binder.bind(statement, p, values);
                }
                statement.executeUpdate();
            }
            connection.commit();
            done[0] += batch.size();
            loaded.accept(done[0]);
        }
    }
}
