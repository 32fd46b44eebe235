package dev.shardflow.cli.topology;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** {@code shardctl topology show --rows} as text: a line per shard with its rows per table and shares, then warnings. */
final class RowsText {
    private RowsText() {}

    static String of(JsonNode report) {
        List<String> tables = new ArrayList<>();
        for (Iterator<String> names = report.path("tables").fieldNames(); names.hasNext();) {
            tables.add(names.next());
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s epoch %d: rows per shard (an even "
                + "share is %.1f %%; warning above %.0f %%)%n", report.path("keyspace").asText(),
                report.path("epoch").asLong(), 100 * report.path("evenShare").asDouble(),
                100 * report.path("maxShare").asDouble()));
        text.append(String.format(Locale.ROOT, "  %-12s %-8s", "shard", "side"));
        for (String table : tables) {
            String placement = report.path("tables").path(table).path("placement").asText();
            text.append(String.format(Locale.ROOT, " %22s", table + (placement.equals("reference") ? " (ref)" : "")));
        }
        text.append(String.format(Locale.ROOT, " %8s%n", "share"));
        for (JsonNode shard : report.path("shards")) {
            String id = shard.path("shard").asText();
            text.append(String.format(Locale.ROOT, "  %-12s %-8s", id, shard.path("side").asText()));
            for (String table : tables) {
                JsonNode rows = shard.path("rows").path(table);
                JsonNode share = report.path("shares").path(id).path(table);
                text.append(String.format(Locale.ROOT, " %22s", rows.isMissingNode() ? "?"
                        : rows.asLong() + (share.isMissingNode() ? "" : String.format(Locale.ROOT, " (%.1f %%)",
                                100 * share.asDouble()))));
            }
            text.append(String.format(Locale.ROOT, " %6.1f %%%n", 100 * shard.path("share").asDouble()));
        }
        for (JsonNode note : report.path("notes")) {
            text.append("note: ").append(note.asText()).append('\n');
        }
        for (JsonNode warning : report.path("warnings")) {
            text.append("WARNING: ").append(warning.asText()).append('\n');
        }
        if (report.path("warnings").isEmpty()) {
            text.append("no shard holds more than the share set\n");
        }
        return text.toString().stripTrailing();
    }
}
