package dev.shardflow.writer.replay;

import java.util.List;

/**
 * What a replay did and what its final check found.
 *
 * @param recordsRead change records read, of every source
 * @param applied changes of the shard's own rows applied: the last of each row (upserts and deletes; a repeated
 *     replay applies them again but changes nothing)
 * @param notOwned changes of rows the shard does not own at the epoch in force, left out
 * @param superseded older changes of rows whose last change was applied instead
 * @param deadLettered changes that could not be applied, sent to the dead-letter topic with the reason
 * @param rowsChecked rows the final check compared with the log
 * @param mismatches rows that still differ from the log after the rechecks, with samples
 * @param newerThanLog rows on the shard the log does not hold: written since the replay's last watermark
 * @param applicationWrites changes of the shard's rows that followed the replay's watermark and were not its own
 *     writes: the application wrote to the shard during the replay, which it should not
 * @param copyMs how long the copy took (reading the log again and writing each row's last change)
 * @param elapsedMs how long the whole replay took: index, copy and check
 */
public record ReplayReport(String shard, String start, long recordsRead, long applied, long notOwned, long superseded,
        long deadLettered, long rowsChecked, long mismatches, List<String> sample, long newerThanLog,
        long applicationWrites, long copyMs, long elapsedMs) {

    public ReplayReport {
        sample = List.copyOf(sample);
    }

    /** True when the shard holds every row of the log as the log last has it. */
    public boolean clean() {
        return mismatches == 0 && deadLettered == 0;
    }
}
