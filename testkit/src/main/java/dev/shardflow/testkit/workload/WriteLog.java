package dev.shardflow.testkit.workload;

import java.util.List;

/**
 * Every write a workload sent, split by what the database said: {@code acknowledged} writes were committed and
 * confirmed to the client, so they must survive anything; {@code inDoubt} writes failed after they reached the
 * server (the connection broke, the server died) and may or may not have been committed. Writes the server
 * never received (connection refused) are not here at all. Each list is in the order the writes were sent.
 */
public record WriteLog(List<Write> acknowledged, List<Write> inDoubt) {

    public WriteLog {
        acknowledged = List.copyOf(acknowledged);
        inDoubt = List.copyOf(inDoubt);
    }

    public int size() {
        return acknowledged.size() + inDoubt.size();
    }
}
