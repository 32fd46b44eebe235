package dev.shardflow.writer.replay;

/**
 * How far a replay is: the phase ({@code copy}: the log up to its end when the replay began; {@code catch-up}: on to
 * a watermark written on the shard; {@code check}: comparing the shard with the log), the table, change records read
 * of the records there were to read, and changes applied.
 */
public record ReplayProgress(String shard, String phase, String table, long recordsRead, long recordsTotal,
        long applied, double recordsPerSecond) {

    public double fraction() {
        return recordsTotal <= 0 ? 1 : Math.min(1, (double) recordsRead / recordsTotal);
    }
}
