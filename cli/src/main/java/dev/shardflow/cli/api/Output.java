package dev.shardflow.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.core.event.EventJson;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** {@code --output text|json}: lines for people, or the service's JSON as it came, for scripts. */
public final class Output {
    public enum Format { TEXT, JSON }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    Format format;

    public boolean json() {
        return format == Format.JSON;
    }

    public void print(PrintWriter out, JsonNode answer, Function<JsonNode, String> text) {
        if (json()) {
            try {
                out.println(EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot print the answer as JSON: " + e.getMessage(), e);
            }
        } else {
            out.println(text.apply(answer));
        }
        out.flush();
    }

    /**
     * A progress line: bar, how many of how many, and — when the rate is known (above 0) — the rate and the time
     * left at that rate: {@code [#####-----] 50 %  300,000 of 600,000 change records, 4,950/s, ETA 1 min 01 s}.
     */
    public static String progress(long done, long total, String unit, double perSecond) {
        StringBuilder line = new StringBuilder(bar(total <= 0 ? 0 : (double) done / total, 30)).append(String.format(
                Locale.ROOT, "  %,d of %,d %s", done, total, unit));
        if (perSecond > 0) {
            line.append(String.format(Locale.ROOT, ", %,.0f/s", perSecond));
            if (done < total) {
                line.append(", ETA ").append(duration(Math.round((total - done) / perSecond)));
            }
        }
        return line.toString();
    }

    /** Seconds as people read them: {@code 42 s}, {@code 3 min 05 s}, {@code 2 h 10 min}. */
    public static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds % 3600 / 60);
    }

    /** A progress bar of {@code width} cells for a fraction between 0 and 1. */
    public static String bar(double fraction, int width) {
        double clamped = Math.max(0, Math.min(1, fraction));
        int full = (int) Math.round(clamped * width);
        return "[" + "#".repeat(full) + "-".repeat(width - full) + "] " + Math.round(clamped * 100) + " %";
    }
}
