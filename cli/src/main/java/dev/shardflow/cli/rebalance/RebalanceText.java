package dev.shardflow.cli.rebalance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.cli.api.Output;

/** How rebalances, their status and verify reports read as text. */
public final class RebalanceText {

    private RebalanceText() {}

    static String rebalance(JsonNode r) {
        StringBuilder text = new StringBuilder(r.path("id").asText() + "  " + r.path("state").asText());
        appendPlan(text, r);
        if (r.hasNonNull("error")) {
            text.append("\n  error: ").append(r.path("error").asText());
        }
        JsonNode history = r.path("history");
        if (history.size() > 0) {
            text.append("\n  last step: ").append(history.get(history.size() - 1).path("note").asText());
        }
        return text.toString();
    }

    /** A plan that was not made (a dry run): the epochs and what moves. */
    static String plan(JsonNode r) {
        StringBuilder text = new StringBuilder("epoch " + epochOf(r.path("fromDocument").asText()) + " -> "
                + epochOf(r.path("toDocument").asText()));
        appendPlan(text, r);
        return text.toString();
    }

    private static long epochOf(String document) {
        return dev.shardflow.core.config.TopologyLoader.parse(document, "the planned topology", java.util.Map.of())
                .epoch();
    }

    private static void appendPlan(StringBuilder text, JsonNode r) {
        JsonNode plan = r.path("plan");
        if (plan.has("movedFraction") && !plan.path("movedFraction").isNull()) {
            text.append(String.format(java.util.Locale.ROOT, "  moves %.1f %% of the keys",
                    100 * plan.path("movedFraction").asDouble()));
        }
        for (JsonNode move : plan.path("moves")) {
            text.append("\n  ").append(move.path("from").asText()).append(" -> ").append(move.path("to").asText());
            if (move.hasNonNull("fraction")) {
                text.append(String.format(java.util.Locale.ROOT, "  %.1f %%", 100 * move.path("fraction").asDouble()));
            }
        }
    }

    /** A status; {@code copyPerSecond} is the copy's rate between two looks (0 when not known). */
    static String status(JsonNode status, double copyPerSecond) {
        StringBuilder text = new StringBuilder(rebalance(status.path("rebalance")));
        JsonNode copy = status.path("copy");
        if (copy.isObject()) {
            text.append("\n  copy   ").append(Output.progress(copy.path("done").asLong(), copy.path("total").asLong(),
                    "change records", copyPerSecond));
        }
        JsonNode controls = status.path("controls");
        if (controls.path("paused").asBoolean() || controls.path("maxRowsPerSecond").asLong() > 0) {
            text.append("\n  move   ").append(controls.path("paused").asBoolean() ? "PAUSED" : "running")
                    .append(controls.path("maxRowsPerSecond").asLong() > 0 ? ", at most "
                            + controls.path("maxRowsPerSecond").asLong() + " change records/s" : "");
        }
        if (status.has("lag")) {
            text.append("\n  lag    ").append(status.path("lag").asLong()).append(" change records");
        }
        for (JsonNode hold : status.path("schemaHolds")) {
            text.append("\n  HELD   ").append(hold.path("shard").asText()).append(" holds the rows of ")
                    .append(hold.path("source").asText()).append(".").append(hold.path("table").asText())
                    .append(" since ").append(hold.path("since").asText()).append(": ")
                    .append(hold.path("reason").asText());
        }
        if (!status.path("schemaHolds").isEmpty()) {
            text.append("\n         make each change on the targets, then: shardctl rebalance resume ")
                    .append(status.path("rebalance").path("id").asText());
        }
        if (status.has("schemaHoldsError")) {
            text.append("\n  held   ").append(status.path("schemaHoldsError").asText());
        }
        JsonNode progress = status.path("verifyProgress");
        if (progress.isObject()) {
            text.append("\n  verify ").append(verifyProgress(progress));
        }
        JsonNode verification = status.path("rebalance").path("verification");
        if (verification.isObject() && !progress.isObject()) {
            text.append("\n  verify ").append(report(verification).replace("\n", "\n  "));
        }
        JsonNode fences = status.path("rebalance").path("fences");
        for (JsonNode fence : fences) {
            text.append("\n  fence  ").append(fence.path("id").asText()).append(" ")
                    .append(fence.path("outcome").asText("in progress"))
                    .append(fence.hasNonNull("pauseMs") ? ", writes to moving keys paused "
                            + fence.path("pauseMs").asLong() + " ms" : "");
            if (fence.path("phasesMs").isObject()) {
                text.append("\n         ").append(phases(fence.path("phasesMs")));
                if (fence.hasNonNull("slowestPath")) {
                    text.append("\n         slowest marker copy: ").append(fence.path("slowestPath").asText());
                }
            }
        }
        return text.toString();
    }

    /** A fence's pause phase by phase, in the order it passed them: {@code routers 12 ms · markers 3 ms · ...}. */
    static String phases(JsonNode phases) {
        StringBuilder text = new StringBuilder();
        phases.fields().forEachRemaining(phase -> text.append(text.length() == 0 ? "" : " · ").append(phase.getKey())
                .append(" ").append(phase.getValue().asLong()).append(" ms"));
        return text.toString();
    }

    /** A verify's live progress as the service reports it: bar, rows, rate, ETA, mismatches so far, step. */
    static String verifyProgress(JsonNode progress) {
        return Output.progress(progress.path("rowsRead").asLong(), progress.path("rowsTotal").asLong(), "rows",
                progress.path("rowsPerSecond").asDouble()) + ", " + progress.path("mismatches").asLong()
                + " mismatches so far  (" + progress.path("step").asText() + ")";
    }

    static String report(JsonNode report) {
        StringBuilder text = new StringBuilder(report.path("chunks").asLong() + " chunks, "
                + report.path("rowsCompared").asLong() + " rows compared, " + report.path("mismatches").asLong()
                + " mismatches, " + report.path("unsettled").asLong() + " unsettled, " + report.path("orphans").asLong()
                + " orphans, " + report.path("unplaceable").asLong() + " unplaceable, in "
                + report.path("elapsedMs").asLong() + " ms" + (clean(report) ? ": clean" : ""));
        if (!report.path("complete").asBoolean(true)) {
            text.append(" (stopped early; verify again to resume)");
        }
        counts(text, "by table", report.path("byTable"));
        if ("all".equals(report.path("scope").asText().split(" ")[0])) {
            counts(text, "by shard", report.path("byShard"));
        }
        for (JsonNode mismatch : report.path("details")) {
            text.append("\n  ").append(mismatch.path("kind").asText()).append(" ").append(mismatch.path("table")
                    .asText()).append(" ").append(mismatch.path("key").asText()).append(": ")
                    .append(mismatch.path("owner").asText()).append(" ").append(mismatch.path("ownerRow"))
                    .append(" | ").append(mismatch.path("other").asText()).append(" ")
                    .append(mismatch.path("otherRow"));
        }
        return text.toString();
    }

    /** One line per table (or shard): each kind of difference found there and how many, as {@code users DIFFERS 3}. */
    private static void counts(StringBuilder text, String title, JsonNode counts) {
        counts.fields().forEachRemaining(entry -> {
            StringBuilder line = new StringBuilder();
            entry.getValue().fields().forEachRemaining(kind -> line.append(line.isEmpty() ? "" : ", ")
                    .append(kind.getKey()).append(" ").append(kind.getValue().asLong()));
            text.append("\n  ").append(title).append(" ").append(entry.getKey()).append(": ").append(line);
        });
    }

    /**
     * Whether a verify report (the API's {@code report}) found the moving rows equal: complete, no mismatch, nothing
     * unsettled, no orphan. What {@code rebalance verify} exits 0 on, and what an operator's cutover waits for.
     */
    public static boolean clean(JsonNode report) {
        return report.path("complete").asBoolean(true) && report.path("mismatches").asLong() == 0
                && report.path("unsettled").asLong() == 0 && report.path("orphans").asLong() == 0;
    }
}
