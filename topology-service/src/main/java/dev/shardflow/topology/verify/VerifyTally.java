package dev.shardflow.topology.verify;

import dev.shardflow.core.event.CanonicalRow;
import dev.shardflow.jdbc.RowImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The running counts of one verify run, shared by its checks; turns into a {@link VerifyReport}. Every difference is
 * counted by kind, per table and per shard, and the first few of each kind are kept with both sides' values, so that
 * one kind in large numbers never hides the examples of another.
 */
final class VerifyTally {
    private static final int SAMPLE_PER_KIND = 5;
    private static final int VALUE_CHARS = 80;
    private static final Pattern SECRET = Pattern.compile("pass(word)?|secret|token|api_?key|credential",
            Pattern.CASE_INSENSITIVE);

    private final String scope;
    private final long startedNanos = System.nanoTime();
    private final long elapsedBeforeMs;
    long chunks;
    /** Rows read in all, rechecks and the other side included: what the throttle paces. */
    long rowsRead;
    /** Rows of the steps' own scans, each counted once: what the progress bar counts against its total. */
    long rowsScanned;
    long rowsCompared;
    long mismatches;
    long unsettled;
    long orphans;
    long unplaceable;
    private final List<Mismatch> details = new ArrayList<>();
    private final Map<String, Map<String, Long>> byTable = new TreeMap<>();
    private final Map<String, Map<String, Long>> byShard = new TreeMap<>();
    private final Mismatch.Reasons reasons;

    VerifyTally(String scope, VerifyReport resumed) {
        this(scope, resumed, Mismatch.Reasons.NONE);
    }

    VerifyTally(String scope, VerifyReport resumed, Mismatch.Reasons reasons) {
        this.reasons = reasons;
        this.scope = scope;
        if (resumed != null) {
            chunks = resumed.chunks();
            rowsCompared = resumed.rowsCompared();
            mismatches = resumed.mismatches();
            unsettled = resumed.unsettled();
            orphans = resumed.orphans();
            unplaceable = resumed.unplaceable();
            details.addAll(resumed.details());
            resumed.byTable().forEach((table, kinds) -> kinds.forEach((kind, n) -> add(byTable, table, kind, n)));
            resumed.byShard().forEach((shard, kinds) -> kinds.forEach((kind, n) -> add(byShard, shard, kind, n)));
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
        add(byTable, table, kind.name(), 1);
        if (other != null) {
            add(byShard, other, kind.name(), 1);
        }
        if (details.stream().filter(d -> d.kind() == kind).count() < SAMPLE_PER_KIND) {
            details.add(new Mismatch(kind, table, key, owner, other, shown(ownerRow), shown(otherRow),
                    kind == Mismatch.Kind.MISSING || kind == Mismatch.Kind.DIFFERS ? reasons.reason(table, key)
                            : null));
        }
    }

    /** Keys of {@code table} that changed through every recheck on {@code other}'s side: not compared. */
    synchronized void unsettled(String table, String other, long keys) {
        unsettled += keys;
        add(byTable, table, UNSETTLED, keys);
        add(byShard, other, UNSETTLED, keys);
    }

    /** The kind under which unsettled keys are counted by table and shard. */
    static final String UNSETTLED = "UNSETTLED";

    private static void add(Map<String, Map<String, Long>> counts, String name, String kind, long n) {
        counts.computeIfAbsent(name, k -> new TreeMap<>()).merge(kind, n, Long::sum);
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
                complete ? null : cursor, byTable, byShard);
    }
}
