package dev.shardflow.rebalancer.streams;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.TableRowKey;
import dev.shardflow.rebalancer.route.Decision;
import dev.shardflow.rebalancer.route.RouteCounts;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a processor of the re-key topology hands on a decision: to the apply, fence, children or dead-letter sink, its
 * transaction committed as soon as what it handed on needs ({@link CommitPacer}).
 */
final class Outputs {
    private static final Logger log = LoggerFactory.getLogger(Outputs.class);

    private final ProcessorContext<byte[], byte[]> context;
    private final RouteCounts counts;
    private final CommitPacer pacer;

    /** @param liveCommit the live interval and the commits its thread asked for (zero: Streams' interval decides) */
    Outputs(ProcessorContext<byte[], byte[]> context, RouteCounts counts, ThreadCommits liveCommit) {
        this.context = context;
        this.counts = counts;
        this.pacer = new CommitPacer(context, liveCommit);
    }

    /** Forwards a routed change; {@code read} is the change as it was read, its bytes passed on as they came. */
    void emit(Decision decision, EnvelopeReader.Envelope read, byte[] key, long timestamp) {
        emit(decision, read, key, timestamp, null);
    }

    /**
     * Forwards a routed change. A fence marker copy carries the path it took ({@link RekeyTopology#FENCE_PATH_HEADER}:
     * the change partitions it came through, {@code incoming}'s path first), so that a writer can tell the copies of
     * one marker apart and the topology service can tell when every path has delivered it. A forwarded change is the
     * bytes it was read as, re-stamped with the epoch it was routed under: never decoded and encoded again.
     */
    void emit(Decision decision, EnvelopeReader.Envelope read, byte[] key, long timestamp, Headers incoming) {
        byte[] raw = read.raw();
        if (decision instanceof Decision.Poison) {
            counts.count(decision); // the poison watch dead-letters it, once; a move only leaves it
            return;
        }
        if (decision instanceof Decision.Reject reject) {
            deadLetter(key, raw, timestamp, read.event(), reject.reason(), null);
            return;
        }
        counts.count(decision); // a skipped change, a non-owner's above all, is counted and never the truth
        if (decision instanceof Decision.Forward forward) {
            context.forward(new Record<>(TableRowKey.of(forward.change()).toBytes(),
                    read.withEpoch(forward.change().epoch()), timestamp, target(forward.shard())),
                    RekeyTopology.APPLY_SINK);
            pacer.changeForwarded(timestamp);
        } else if (decision instanceof Decision.Replicate copy) {
            byte[] copyKey = TableRowKey.of(copy.change()).toBytes();
            byte[] value = read.withEpoch(copy.change().epoch());
            for (String shard : copy.shards()) {
                context.forward(new Record<>(copyKey, value, timestamp, target(shard)), RekeyTopology.APPLY_SINK);
            }
            pacer.changeForwarded(timestamp);
        } else if (decision instanceof Decision.Fence fence) {
            byte[] fenceKey = TableRowKey.of(fence.marker()).toBytes();
            String path = fencePath(incoming);
            String hops = fenceHops(incoming);
            for (String shard : fence.shards()) {
                Headers headers = target(shard);
                add(headers, RekeyTopology.FENCE_PATH_HEADER, path);
                add(headers, RekeyTopology.FENCE_HOPS_HEADER, hops);
                context.forward(new Record<>(fenceKey, raw, timestamp, headers), RekeyTopology.FENCE_SINK);
            }
            pacer.fenceForwarded();
        }
    }

    /** Hands a child change on to the task that knows its parent. */
    void child(Record<byte[], byte[]> record) {
        context.forward(record, RekeyTopology.CHILDREN_SINK);
        pacer.changeForwarded(record.timestamp());
    }

    /** Hands a fence marker of a child table on to every partition of the children topic. */
    void childFence(Record<byte[], byte[]> record) {
        context.forward(record, RekeyTopology.CHILDREN_FENCE_SINK);
        pacer.fenceForwarded();
    }

    void deadLetter(byte[] key, byte[] value, long timestamp, ChangeEvent change, String reason, Exception error) {
        counts.count("rejected");
        Headers headers = DeadLetterHeaders.of(reason, "rebalancer", error, context.recordMetadata(), change);
        log.warn("change at {} to the dead-letter topic: {}", DeadLetterHeaders.where(context.recordMetadata()),
                reason);
        context.forward(new Record<>(key, value, timestamp, headers), RekeyTopology.DLQ_SINK);
    }

    /** The path of a fence copy so far: the incoming one, then the partition this processor read it from. */
    String fencePath(Headers incoming) {
        org.apache.kafka.common.header.Header before = incoming == null ? null
                : incoming.lastHeader(RekeyTopology.FENCE_PATH_HEADER);
        RecordMetadata at = context.recordMetadata().orElseThrow();
        return (before == null ? "" : new String(before.value(), StandardCharsets.UTF_8) + ">") + at.topic() + ":"
                + at.partition();
    }

    /**
     * The hop times of a fence copy so far ({@link RekeyTopology#FENCE_HOPS_HEADER}): the incoming ones, then now, when
     * this processor hands it on. Wall-clock time, read when the copy leaves, so that a cutover's breakdown shows how
     * long each hop held it.
     */
    static String fenceHops(Headers incoming) {
        org.apache.kafka.common.header.Header before = incoming == null ? null
                : incoming.lastHeader(RekeyTopology.FENCE_HOPS_HEADER);
        String now = Long.toString(System.currentTimeMillis());
        return before == null ? now : new String(before.value(), StandardCharsets.UTF_8) + "," + now;
    }

    private static Headers target(String shard) {
        return new RecordHeaders().add(RekeyTopology.TARGET_HEADER, shard.getBytes(StandardCharsets.UTF_8));
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
