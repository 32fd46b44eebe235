package dev.shardflow.writer.apply;

import dev.shardflow.jdbc.SqlDialect;
import dev.shardflow.writer.jdbc.GuardedSql;
import dev.shardflow.writer.jdbc.TargetTable;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements of one batch's transaction, in their order: per table the upserts (less those a recorded delete
 * is as new as), the deletes with their tombstones, then the patches of in-place views, which set columns of rows
 * the batch may just have written; and the applied copies of fence markers. Committing is the caller's.
 */
final class GuardedWrites {
    private final SqlDialect dialect;
    /** The most bytes of values one multi-row upsert carries (a larger row goes alone). */
    static final long STATEMENT_BYTES = 4L * 1024 * 1024;

    private final int rowsPerStatement;

    GuardedWrites(SqlDialect dialect, int rowsPerStatement) {
        this.dialect = dialect;
        this.rowsPerStatement = rowsPerStatement;
    }

    /** Writes {@code rows} on {@code connection}, uncommitted; returns the upserts dropped as older than a delete. */
    int write(Connection connection, List<PreparedBatch.Prepared> rows, Map<String, Integer> counts) throws SQLException {
        Map<TargetTable, List<PreparedBatch.Prepared>> upserts = new LinkedHashMap<>();
        Map<TargetTable, List<PreparedBatch.Prepared>> deletes = new LinkedHashMap<>();
        Map<TargetTable, List<PreparedBatch.Prepared>> patches = new LinkedHashMap<>();
        for (PreparedBatch.Prepared row : rows) {
            (row.change().isPatch() ? patches : row.change().isDelete() ? deletes : upserts)
                    .computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row);
        }
        int superseded = 0;
        for (Map.Entry<TargetTable, List<PreparedBatch.Prepared>> entry : upserts.entrySet()) {
            List<PreparedBatch.Prepared> live = withoutDeleted(connection, entry.getKey(), entry.getValue());
            superseded += entry.getValue().size() - live.size();
            upsert(connection, entry.getKey(), live);
            counts.merge(entry.getKey().name(), live.size(), Integer::sum);
        }
        for (Map.Entry<TargetTable, List<PreparedBatch.Prepared>> entry : deletes.entrySet()) {
            delete(connection, entry.getKey(), entry.getValue());
            counts.merge(entry.getKey().name(), entry.getValue().size(), Integer::sum);
        }
        // patches last: they set columns of rows the batch may just have written
        for (Map.Entry<TargetTable, List<PreparedBatch.Prepared>> entry : patches.entrySet()) {
            patch(connection, entry.getKey(), entry.getValue());
            counts.merge(entry.getKey().name(), entry.getValue().size(), Integer::sum);
        }
        return superseded;
    }

    /** Drops upserts of rows whose recorded delete is as new or newer: an old insert must not bring them back. */
    private List<PreparedBatch.Prepared> withoutDeleted(Connection connection, TargetTable table, List<PreparedBatch.Prepared> rows)
            throws SQLException {
        if (!anyDeleted(connection, table)) {
            return rows;
        }
        Map<ByteBuffer, byte[]> deletedAt = new HashMap<>();
        for (int from = 0; from < rows.size(); from += rowsPerStatement) {
            List<PreparedBatch.Prepared> chunk = rows.subList(from, Math.min(rows.size(), from + rowsPerStatement));
            try (PreparedStatement select = connection.prepareStatement(GuardedSql.deletedVersions(chunk.size()))) {
                select.setString(1, table.name());
                for (int i = 0; i < chunk.size(); i++) {
                    select.setBytes(i + 2, chunk.get(i).change().rowKey());
                }
                try (ResultSet found = select.executeQuery()) {
                    while (found.next()) {
                        deletedAt.put(ByteBuffer.wrap(found.getBytes(1)), found.getBytes(2));
                    }
                }
            }
        }
        if (deletedAt.isEmpty()) {
            return rows;
        }
        return rows.stream().filter(row -> {
            byte[] deleted = deletedAt.get(ByteBuffer.wrap(row.change().rowKey()));
            return deleted == null || java.util.Arrays.compareUnsigned(row.change().version(), deleted) > 0;
        }).toList();
    }

    /**
     * Whether the target remembers any delete of the table. Usually it does not while a shard is being filled, and
     * one cheap query then saves looking every key up.
     */
    private static boolean anyDeleted(Connection connection, TargetTable table) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(GuardedSql.anyDeleted())) {
            select.setString(1, table.name());
            try (ResultSet found = select.executeQuery()) {
                return found.next();
            }
        }
    }

    /**
     * Upserts in multi-row statements of at most {@code rowsPerStatement} rows, 32,000 parameters (PostgreSQL takes
     * at most 32,767) and, but for a statement of one row, {@link #STATEMENT_BYTES} of values: large rows go a few at
     * a time, within a MariaDB/MySQL server's {@code max_allowed_packet}.
     */
    private void upsert(Connection connection, TargetTable table, List<PreparedBatch.Prepared> rows) throws SQLException {
        int perRow = table.sql().parametersPerRow();
        int chunkRows = Math.max(1, Math.min(rowsPerStatement, 32_000 / perRow));
        int from = 0;
        while (from < rows.size()) {
            int to = from;
            long bytes = 0;
            while (to < rows.size() && to - from < chunkRows) {
                long rowBytes = valueBytes(rows.get(to).values());
                if (to > from && bytes + rowBytes > STATEMENT_BYTES) {
                    break;
                }
                bytes += rowBytes;
                to++;
            }
            List<PreparedBatch.Prepared> chunk = rows.subList(from, to);
            from = to;
            try (PreparedStatement statement = connection.prepareStatement(table.sql().upsert(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    table.bindUpsert(statement, i * perRow, chunk.get(i).values());
                }
                statement.executeUpdate();
            }
        }
    }

    /** About how many bytes a row's values take on the wire: their text and binary lengths, 8 for anything else. */
    static long valueBytes(Object[] values) {
        long bytes = 0;
        for (Object value : values) {
            if (value instanceof CharSequence text) {
                bytes += text.length();
            } else if (value instanceof byte[] binary) {
                bytes += binary.length;
            } else {
                bytes += 8;
            }
        }
        return bytes;
    }

    private void delete(Connection connection, TargetTable table, List<PreparedBatch.Prepared> rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(table.sql().delete())) {
            for (PreparedBatch.Prepared row : rows) {
                table.bindDelete(statement, row.values());
                statement.addBatch();
            }
            statement.executeBatch();
        }
        for (int from = 0; from < rows.size(); from += rowsPerStatement) {
            List<PreparedBatch.Prepared> chunk = rows.subList(from, Math.min(rows.size(), from + rowsPerStatement));
            try (PreparedStatement statement = connection.prepareStatement(table.sql().rememberDeletes(chunk.size()))) {
                int p = 1;
                for (PreparedBatch.Prepared row : chunk) {
                    statement.setString(p++, table.name());
                    statement.setBytes(p++, row.change().rowKey());
                    statement.setBytes(p++, row.change().version());
                }
                statement.executeUpdate();
            }
        }
    }

    /** Applies patches, one statement per set of patched columns, batched; a patch of a missing row changes nothing. */
    private static void patch(Connection connection, TargetTable table, List<PreparedBatch.Prepared> rows) throws SQLException {
        Map<List<String>, List<PreparedBatch.Prepared>> byColumns = new LinkedHashMap<>();
        for (PreparedBatch.Prepared row : rows) {
            byColumns.computeIfAbsent(table.patchedColumnNames(row.change().event().after().keySet()),
                    c -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<List<String>, List<PreparedBatch.Prepared>> group : byColumns.entrySet()) {
            try (PreparedStatement statement = connection.prepareStatement(table.sql().patch(group.getKey()))) {
                for (PreparedBatch.Prepared row : group.getValue()) {
                    table.bindPatch(statement, group.getKey(), row.values());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        }
    }

    void rememberFences(Connection connection, List<Change> fences) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(GuardedSql.rememberFence(dialect))) {
            for (Change fence : fences) {
                statement.setString(1, fence.event().source().shard());
                statement.setString(2, String.valueOf(fence.event().key().get("id")));
                statement.setString(3, fence.origin().topic());
                statement.setInt(4, fence.origin().partition());
                FenceCopy copy = fence.origin().fence();
                statement.setString(5, fencePath(copy == null ? null : copy.path()));
                if (copy == null) {
                    statement.setNull(6, java.sql.Types.BIGINT);
                    statement.setNull(7, java.sql.Types.VARCHAR);
                    statement.setNull(8, java.sql.Types.BIGINT);
                } else {
                    statement.setLong(6, copy.capturedMs());
                    statement.setString(7, copy.hops() == null || copy.hops().length() > 255 ? null : copy.hops());
                    statement.setLong(8, copy.readMs());
                }
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** A copy's path as stored: as it came, or its SHA-256 (hex) when longer than the column. */
    private static String fencePath(String path) {
        if (path == null) {
            return "";
        }
        if (path.length() <= 255) {
            return path;
        }
        return java.util.HexFormat.of().formatHex(Change.sha256(path.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
