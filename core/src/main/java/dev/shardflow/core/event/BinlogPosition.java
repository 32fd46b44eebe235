package dev.shardflow.core.event;

import java.util.Objects;

/**
 * A MySQL/MariaDB binlog position: the file ({@code mysql-bin.000012}), the offset of the event in it, and the row
 * within a multi-row event. Files compare by their numeric suffix, so {@code .000010} comes after {@code .000009}.
 */
public record BinlogPosition(String file, long pos, int row) implements SourcePosition {

    public BinlogPosition {
        Objects.requireNonNull(file, "file");
        if (pos < 0 || row < 0) {
            throw new IllegalArgumentException("binlog position and row must not be negative: " + file + ":" + pos
                    + "#" + row);
        }
    }

    @Override
    public int compareTo(SourcePosition other) {
        if (!(other instanceof BinlogPosition that) || !baseName(file).equals(baseName(that.file))) {
            throw SourcePosition.incomparable(this, other);
        }
        int c = Long.compare(sequence(file), sequence(that.file));
        if (c == 0) {
            c = Long.compare(pos, that.pos);
        }
        return c != 0 ? c : Integer.compare(row, that.row);
    }

    /** The numeric suffix of the file: 12 for {@code mysql-bin.000012}. */
    public long fileNumber() {
        return sequence(file);
    }

    private static String baseName(String file) {
        int dot = file.lastIndexOf('.');
        return dot < 0 ? file : file.substring(0, dot);
    }

    private static long sequence(String file) {
        try {
            return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("binlog file '" + file + "' has no numeric suffix", e);
        }
    }

    @Override
    public String toString() {
        return file + ":" + pos + "#" + row;
    }
}
