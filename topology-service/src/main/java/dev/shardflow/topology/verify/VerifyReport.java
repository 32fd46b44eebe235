package dev.shardflow.topology.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a verify run found.
 *
 * @param scope {@code moving} (the keys a rebalance moves) or {@code all} (every table on every shard)
 * @param complete false while the run is under way or when it stopped early; {@code cursor} says where it resumes
 * @param chunks chunks compared
 * @param rowsCompared rows compared on both sides
 * @param mismatches confirmed differences: rows that differ, are missing on the other side, or are extra there
 * @param unsettled keys that changed in every one of their rechecks, so they could not be compared
 * @param orphans rows on a shard that does not own their key ({@code all} only)
 * @param unplaceable rows whose owner cannot be told: a null shard key, or a child row without its parent
 * @param sample one line per difference shown: the first ones of each kind
 * @param details both sides' values of the first differences of each kind
 * @param byTable per table, how many of each kind were found ({@code DIFFERS}, {@code MISSING}, {@code EXTRA},
 *     {@code UNSETTLED}, {@code ORPHAN}, {@code DUPLICATE}, {@code REFERENCE}); they add up to the totals
 * @param byShard the same per shard: the other side of a moving row, the shard an orphan is on, the shard whose copy
 *     of a reference table differs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyReport(long atMs, String scope, boolean complete, long chunks, long rowsCompared, long mismatches,
        long unsettled, long orphans, long unplaceable, List<String> sample, List<Mismatch> details, long elapsedMs,
        VerifyCursor cursor, Map<String, Map<String, Long>> byTable, Map<String, Map<String, Long>> byShard) {

    public VerifyReport {
        sample = sample == null ? List.of() : List.copyOf(sample);
        details = details == null ? List.of() : List.copyOf(details);
        byTable = byTable == null ? Map.of() : copy(byTable);
        byShard = byShard == null ? Map.of() : copy(byShard);
    }

    /** A report without the counts by table and shard (a partial one being resumed, say). */
    public VerifyReport(long atMs, String scope, boolean complete, long chunks, long rowsCompared, long mismatches,
            long unsettled, long orphans, long unplaceable, List<String> sample, List<Mismatch> details,
            long elapsedMs, VerifyCursor cursor) {
        this(atMs, scope, complete, chunks, rowsCompared, mismatches, unsettled, orphans, unplaceable, sample,
                details, elapsedMs, cursor, null, null);
    }

    private static Map<String, Map<String, Long>> copy(Map<String, Map<String, Long>> counts) {
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        counts.forEach((name, kinds) -> copy.put(name, Collections.unmodifiableMap(new TreeMap<>(kinds))));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The same report without any row: no sample lines and no details (keys and values may be personal data), its
     * counts kept — what a reader without the API's token is shown.
     */
    public VerifyReport withoutRows() {
        return new VerifyReport(atMs, scope, complete, chunks, rowsCompared, mismatches, unsettled, orphans,
                unplaceable, List.of(), List.of(), elapsedMs, cursor, byTable, byShard);
    }

    /** True when the run finished and found nothing wrong. */
    public boolean clean() {
        return complete && mismatches == 0 && unsettled == 0 && orphans == 0;
    }
}
