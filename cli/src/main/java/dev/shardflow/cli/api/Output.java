package dev.shardflow.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.core.event.EventJson;
import java.io.PrintWriter;
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

    /** A progress bar of {@code width} cells for a fraction between 0 and 1. */
    public static String bar(double fraction, int width) {
        double clamped = Math.max(0, Math.min(1, fraction));
        int full = (int) Math.round(clamped * width);
        return "[" + "#".repeat(full) + "-".repeat(width - full) + "] " + Math.round(clamped * 100) + " %";
    }
}
