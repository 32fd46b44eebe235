package dev.shardflow.topology.verify;

import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.writer.jdbc.RowImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The running counts of one verify run, shared by its checks; turns into a {@link VerifyReport}. */
final class VerifyTally {
    private static final int SAMPLE = 20;
    private static final int VALUE_CHARS = 80;
    private static final Pattern SECRET = Pattern.compile("pass(word)?|secret|token|api_?key|credential",
            Pattern.CASE_INSENSITIVE);

    private final String scope;
    private final long startedNanos = System.nanoTime();
    private final long elapsedBeforeMs;
    long chunks;
    long rowsRead;
    long rowsCompared;
    long mismatches;
    long unsettled;
    long orphans;
    long unplaceable;
    private final List<Mismatch> details = new ArrayList<>();

    VerifyTally(String scope, VerifyReport resumed) {
        this.scope = scope;
        if (resumed != null) {
            chunks = resumed.chunks();
            rowsCompared = resumed.rowsCompared();
            mismatches = resumed.mismatches();
            unsettled = resumed.unsettled();
            orphans = resumed.orphans();
            unplaceable = resumed.unplaceable();
            details.addAll(resumed.details());
            elapsedBeforeMs = resumed.elapsedMs();
        } else {
            elapsedBeforeMs = 0;
        }
    }

    synchronized void found(Mismatch.Kind kind, String table, String key, String owner, String other,
            RowImage ownerRow, RowImage otherRow) {
        if (kind == Mismatch.Kind.ORPHAN || kind == Mismatch.Kind.DUPLICATE) {
            orphans++;
        } else {
            mismatches++;
        }
        if (details.size() < SAMPLE) {
            details.add(new Mismatch(kind, table, key, owner, other, shown(ownerRow), shown(otherRow)));
        }
    }

    /** Values as an operator may see them: canonical text, secrets masked, long values cut short. */
    static Map<String, String> shown(RowImage row) {
        if (row == null) {
            return null;
        }
        Map<String, String> shown = new LinkedHashMap<>();
        row.values().forEach((column, value) -> {
            String text = CanonicalRow.text(value);
            if (text != null && SECRET.matcher(column.toLowerCase(Locale.ROOT)).find()) {
                text = "***";
            } else if (text != null && text.length() > VALUE_CHARS) {
                text = text.substring(0, VALUE_CHARS) + "… (" + text.length() + " chars)";
            }
            shown.put(column, text);
        });
        return shown;
    }

    synchronized VerifyReport report(boolean complete, VerifyCursor cursor) {
        long elapsed = elapsedBeforeMs + (System.nanoTime() - startedNanos) / 1_000_000;
        return new VerifyReport(System.currentTimeMillis(), scope, complete, chunks, rowsCompared, mismatches,
                unsettled, orphans, unplaceable, details.stream().map(Mismatch::summary).toList(), details, elapsed,
                complete ? null : cursor);
    }
}
