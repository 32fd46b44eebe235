package dev.shardflow.core.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.core.event.EventJson;

/**
 * How the capture of one source shard stands, on {@code <prefix>.capture.status} keyed by shard id (compacted): what
 * a capture process publishes at every report interval, and what {@code shardctl capture status}, the topology
 * service's API and its dashboard read. A report older than a few intervals means its process no longer reports.
 *
 * @param state {@code STARTING}, {@code RUNNING}, {@code RETRYING}, {@code STOPPED} or {@code FAILED}
 * @param eventsPerSecond change events written per second over the last interval
 * @param lagMs now minus the source commit time of the last event written, or null when none was in the interval
 * @param lastError why the shard last failed, or null; never a secret
 * @param heldBackBytes how much source log the capture keeps the source from removing (PostgreSQL: WAL from the
 *     slot's restart LSN; MariaDB/MySQL: the binlog files from the one capture reads on), or -1 when unknown
 * @param heldBack what {@code heldBackBytes} counts, in words ({@code slot sf_shop_pg1}, {@code mysql-bin.000004 and
 *     2 later files}), or why it is unknown
 * @param heldBackWarnBytes the threshold above which the held-back log is a warning
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptureReport(String shard, String engine, String state, double eventsPerSecond, Long lagMs,
        String lastError, long restarts, long heldBackBytes, String heldBack, long heldBackWarnBytes, long atMs,
        long intervalMs) {

    /** Whether the source keeps more log for this capture than the warning threshold. */
    public boolean heldBackWarning() {
        return heldBackBytes > heldBackWarnBytes;
    }

    /** Whether this report is older than three report intervals at {@code nowMs}: its process stopped reporting. */
    public boolean staleAt(long nowMs) {
        return nowMs - atMs > 3 * intervalMs;
    }

    /** The held-back source log for people: {@code 12.3 MiB (WAL kept for slot ...)}, or why it is unknown. */
    public String heldBackText() {
        return heldBackBytes < 0 ? "unknown (" + heldBack + ")" : bytes(heldBackBytes) + " (" + heldBack + ")";
    }

    /** A size for people, in binary units: {@code 512 B}, {@code 12.3 MiB}. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    public byte[] toBytes() {
        return EventJson.write(this, "the capture report of shard " + shard);
    }

    public static CaptureReport fromBytes(byte[] json) {
        return EventJson.read(json, CaptureReport.class, "capture report");
    }
}
