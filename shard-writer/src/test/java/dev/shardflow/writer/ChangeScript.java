package dev.shardflow.writer;

import dev.shardflow.core.event.BinlogPosition;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourcePosition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible history of inserts, updates and deletes of the shop tables, each change with a version newer than
 * the one before it (the first 70 % at epoch 1 from a PostgreSQL source, the rest at epoch 2 from a MariaDB source,
 * as after a move), and the rows that remain when the whole history is applied.
 */
final class ChangeScript {
    static final List<String> TABLES = List.of("users", "orders", "order_items");
    private static final String[] STATUSES = {"pending", "processing", "shipped", "delivered"};
    private static final String[] COUNTRIES = {"DE", "FR", "US", "BR", "JP"};

    private final List<ChangeEvent> events = new ArrayList<>();
    private final Map<String, Map<Long, Map<String, Object>>> rows = new HashMap<>();
    private final Random random;
    private final int keysPerTable;
    private long step;

    ChangeScript(long seed, int keysPerTable) {
        this.random = new Random(seed);
        this.keysPerTable = keysPerTable;
        TABLES.forEach(t -> rows.put(t, new HashMap<>()));
    }

    /** Appends {@code count} changes: a missing row is inserted; a present one updated (80 %) or deleted. */
    ChangeScript append(int count, long epochTwoFrom) {
        for (int i = 0; i < count; i++) {
            String table = TABLES.get(random.nextInt(TABLES.size()));
            long id = 1 + random.nextInt(keysPerTable);
            Map<String, Object> current = rows.get(table).get(id);
            step++;
            long epoch = step >= epochTwoFrom ? 2 : 1;
            SourcePosition position = epoch == 1 ? new PostgresLsn(1_000_000 + step * 64)
                    : new BinlogPosition("mysql-bin.000007", 4 + step * 200, 0);
            Source source = new Source(epoch == 1 ? "pg-source" : "maria-source", position, null, 1_700_000_000_000L + step);
            Map<String, Object> key = Map.of("id", id);
            ChangeEvent event;
            if (current != null && random.nextInt(5) == 0) {
                event = new ChangeEvent("shop", table, Op.DELETE, key, current, null, shardKey(table, current), source,
                        epoch);
                rows.get(table).remove(id);
            } else {
                long version = current == null ? 1 : ((Number) current.get("version")).longValue() + 1;
                Map<String, Object> after = row(table, id, version);
                event = new ChangeEvent("shop", table, current == null ? Op.CREATE : Op.UPDATE, key, current, after,
                        shardKey(table, after), source, epoch);
                rows.get(table).put(id, after);
            }
            events.add(event);
        }
        return this;
    }

    /** What capture puts in the envelope: the row's shard-key column, for a table placed by one. */
    private static Object shardKey(String table, Map<String, Object> row) {
        return switch (table) {
            case "users" -> row.get("id");
            case "orders" -> row.get("user_id");
            default -> null;
        };
    }

    private Map<String, Object> row(String table, long id, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        switch (table) {
            case "users" -> {
                row.put("username", "user" + id + "_v" + version);
                row.put("email", "user" + id + "@example.com");
                row.put("country", version % 7 == 0 ? null : COUNTRIES[(int) (id % COUNTRIES.length)]);
                row.put("created_at", "2024-0" + (1 + id % 9) + "-1" + (id % 10) + "T10:15:" + (10 + version % 50) + ".125");
            }
            case "orders" -> {
                row.put("user_id", id % 997);
                row.put("order_date", "2024-1" + (id % 3) + "-0" + (1 + version % 9));
                row.put("total_amount", version % 11 == 0 ? null : new BigDecimal(id % 500 + "." + (10 + version % 90)));
                row.put("status", STATUSES[(int) (version % STATUSES.length)]);
                row.put("username", "user" + (id % 997));
            }
            default -> {
                row.put("order_id", id / 3 + 1);
                row.put("product_id", 1 + id % 12);
                row.put("quantity", (int) (1 + version % 5));
                row.put("price", new BigDecimal((5 + id % 90) + ".99"));
            }
        }
        row.put("version", version);
        return row;
    }

    List<ChangeEvent> events() {
        return List.copyOf(events);
    }

    /** Every change, some of them twice, in a random order. */
    List<ChangeEvent> shuffledWithDuplicates(long seed) {
        Random shuffle = new Random(seed);
        List<ChangeEvent> all = new ArrayList<>(events);
        for (ChangeEvent event : events) {
            if (shuffle.nextInt(5) == 0) {
                all.add(event);
            }
        }
        Collections.shuffle(all, shuffle);
        return all;
    }

    /** The rows of {@code table} once every change is applied, by id. */
    Map<Long, Map<String, Object>> expected(String table) {
        return Map.copyOf(rows.get(table));
    }
}
