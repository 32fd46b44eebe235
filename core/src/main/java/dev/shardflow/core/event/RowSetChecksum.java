package dev.shardflow.core.event;

import java.util.Map;

/**
 * The checksum of a set of rows that does not depend on their order: how many there are and the wrapping sum of
 * their {@link CanonicalRow#hash canonical hashes}. Two sets with equal checksums hold, with overwhelming likelihood,
 * the same rows; a set read from PostgreSQL and one read from MariaDB or from change events compare directly. Sums
 * of parts add up to the sum of the whole, so chunks can be checked alone and combined.
 */
public record RowSetChecksum(long rows, long hashSum) {

    public static final RowSetChecksum EMPTY = new RowSetChecksum(0, 0);

    public static RowSetChecksum of(Iterable<? extends Map<String, ?>> rows) {
        RowSetChecksum sum = EMPTY;
        for (Map<String, ?> row : rows) {
            sum = sum.plus(row);
        }
        return sum;
    }

    /** This set with one more row. */
    public RowSetChecksum plus(Map<String, ?> row) {
        return new RowSetChecksum(rows + 1, hashSum + CanonicalRow.hash(row));
    }

    /** The checksum of the union of two disjoint sets. */
    public RowSetChecksum plus(RowSetChecksum other) {
        return new RowSetChecksum(rows + other.rows, hashSum + other.hashSum);
    }
}
