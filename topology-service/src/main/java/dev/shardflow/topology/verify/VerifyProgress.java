package dev.shardflow.topology.verify;

/**
 * How far a verify run is: rows read of the rows there are to read (counted at the start), chunks compared, and
 * what was found so far; {@code step} names the table and shard being read.
 */
public record VerifyProgress(String run, String step, long rowsRead, long rowsTotal, long chunks, long mismatches,
        long orphans, double rowsPerSecond, boolean done) {

    public double fraction() {
        return rowsTotal <= 0 ? (done ? 1 : 0) : Math.min(1, (double) rowsRead / rowsTotal);
    }
}
