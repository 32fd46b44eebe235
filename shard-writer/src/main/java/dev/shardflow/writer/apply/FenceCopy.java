package dev.shardflow.writer.apply;

/**
 * A copy of a fence marker as it reached a writer: the path that tells it apart from the other copies of the same
 * marker, and when it passed each stage on the way, which the writer records beside it for the cutover's breakdown.
 *
 * @param path the change partitions it came through (the rebalancer's {@code shardflow.fence.path} header)
 * @param capturedMs when capture sent it (the record's timestamp, which the rebalancer keeps), epoch ms
 * @param hops when each rebalancer hop handed it on (the {@code shardflow.fence.hops} header), or null
 * @param readMs when the writer's poll returned it, epoch ms
 */
public record FenceCopy(String path, long capturedMs, String hops, long readMs) {}
