package dev.shardflow.router.query;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scatter-gather answer: its columns and rows, the epoch whose ownership decided which shard's copy of a row
 * counted, how the shards' answers were merged, what each shard did, and the shards missing from a partial answer.
 *
 * @param rebalancing a rebalance was running: shards that may hold copies of rows they do not own counted only the
 *     keys they own at {@code epoch}
 * @param merge how the answer was put together, in words
 * @param shards what each shard that answered read
 * @param missing the shards whose rows are not in the answer and why (only when the query allowed a partial answer)
 */
public record QueryResult(List<String> columns, List<List<Object>> rows, long epoch, boolean rebalancing,
        String merge, Map<String, ShardAnswer> shards, Map<String, String> missing) {

    /**
     * What one shard did: rows it returned, those of them left out because it does not own their key (copies of a
     * running move, or rows its cutover handed over), and how long it took.
     */
    public record ShardAnswer(long rowsRead, long notOwned, long millis) {}

    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        shards = Collections.unmodifiableMap(new LinkedHashMap<>(shards));
        missing = Collections.unmodifiableMap(new LinkedHashMap<>(missing));
    }

    /** True when every shard answered. */
    public boolean complete() {
        return missing.isEmpty();
    }
}
