package dev.shardflow.topology.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

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
 * @param sample one line per difference, the first ones
 * @param details both sides' values of the first differences
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyReport(long atMs, String scope, boolean complete, long chunks, long rowsCompared, long mismatches,
        long unsettled, long orphans, long unplaceable, List<String> sample, List<Mismatch> details, long elapsedMs,
        VerifyCursor cursor) {

    public VerifyReport {
        sample = sample == null ? List.of() : List.copyOf(sample);
        details = details == null ? List.of() : List.copyOf(details);
    }

    /** True when the run finished and found nothing wrong. */
    public boolean clean() {
        return complete && mismatches == 0 && unsettled == 0 && orphans == 0;
    }
}
