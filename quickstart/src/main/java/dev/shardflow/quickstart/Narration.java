package dev.shardflow.quickstart;

import java.io.PrintWriter;
import java.util.Locale;

/** What the quickstart tells its user as it goes: a line per step with the time since the start, progress lines. */
final class Narration {
    private final PrintWriter out;
    private final long started = System.nanoTime();
    private long lastProgress;

    Narration(PrintWriter out) {
        this.out = out;
    }

    void say(String format, Object... args) {
        out.printf("[%5.1f s] %s%n", seconds(started), String.format(format, args));
        out.flush();
    }

    /** A progress line at most every 2 s (and at the end), with the rate since {@code since}. */
    void progress(String what, String unit, long done, long total, long since) {
        progress(what, unit, done, 0, total, since);
    }

    /** A progress line at most every 2 s (and at the end); the rate counts what was done since {@code from}. */
    void progress(String what, String unit, long done, long from, long total, long since) {
        if (!due() && done < total) {
            return;
        }
        out.printf(Locale.ROOT, "  %-8s %,d of %,d %s, %,.0f/s%n", what, done, total, unit,
                (done - from) / Math.max(0.001, seconds(since)));
        out.flush();
    }

    /** A line of its own, at most every 2 s. */
    void every2s(String format, Object... args) {
        if (due()) {
            out.printf(Locale.ROOT, format + "%n", args);
            out.flush();
        }
    }

    void println(String line) {
        out.println(line);
        out.flush();
    }

    /** Seconds since the quickstart started. */
    double elapsed() {
        return seconds(started);
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private boolean due() {
        if (System.nanoTime() - lastProgress < 2_000_000_000L) {
            return false;
        }
        lastProgress = System.nanoTime();
        return true;
    }
}
