package dev.shardflow.capture;

import dev.shardflow.core.event.BinlogPosition;
import dev.shardflow.core.topology.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How much log a source keeps because its capture has not consumed it yet: on PostgreSQL the WAL from the replication
 * slot's restart LSN to the server's current LSN ({@code pg_wal_lsn_diff}); on MariaDB/MySQL the binlog files from
 * the one capture reads on to the newest, which the server must not purge. A capture that is down, or far behind,
 * makes it grow until the source's disk is full.
 */
final class SourceLog {

    /** The held-back log: bytes (-1 when unknown) and what they count, in words. */
    record HeldBack(long bytes, String what) {
        static HeldBack unknown(String why) {
            return new HeldBack(-1, why);
        }
    }

    private SourceLog() {}

    /**
     * Measures it on an open connection to the source.
     *
     * @param slot the replication slot of the shard's capture (PostgreSQL)
     * @param binlogFile the binlog file capture last read in (MariaDB/MySQL), or null when it has read nothing yet
     */
    static HeldBack measure(Connection connection, Engine engine, String slot, String binlogFile) throws SQLException {
        return engine == Engine.POSTGRESQL ? wal(connection, slot) : binlog(connection, binlogFile);
    }

    private static HeldBack wal(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), "
                + "restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    return HeldBack.unknown("no slot " + slot + " yet");
                }
                long bytes = result.getLong(1);
                return result.wasNull() ? HeldBack.unknown("slot " + slot + " has no restart LSN yet")
                        : new HeldBack(bytes, "WAL kept for slot " + slot);
            }
        }
    }

    private static HeldBack binlog(Connection connection, String binlogFile) throws SQLException {
        if (binlogFile == null) {
            return HeldBack.unknown("known once capture has read a change or heartbeat");
        }
        long sequence = new BinlogPosition(binlogFile, 0, 0).fileNumber();
        long bytes = 0;
        int files = 0;
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SHOW BINARY LOGS")) {
            while (result.next()) {
                String name = result.getString(1);
                if (new BinlogPosition(name, 0, 0).fileNumber() >= sequence) {
                    bytes += result.getLong(2);
                    files++;
                }
            }
        }
        return new HeldBack(bytes, "binlog " + binlogFile + (files > 1 ? " and " + (files - 1) + " later files"
                : ""));
    }
}
