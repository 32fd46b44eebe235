package dev.shardflow.rebalancer.streams;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * When a move's transaction commits sooner than its Streams commit interval. A move copying history commits rarely
 * (the interval is long: each commit of an exactly-once transaction costs its producer a round of flushes and
 * markers), but nothing a writer or a router waits for may wait that long: a fence marker and a live change — one
 * captured less than {@link #LIVE_AGE} ago — are committed within the live interval, or within two when another
 * task of the same thread has just asked for a commit ({@link ThreadCommits}).
 *
 * <p>With no live interval (zero) it does nothing, and Streams' own interval alone decides.
 */
final class CommitPacer {
    /**
     * A forwarded change younger than this is live: the move keeps up, and whoever wrote it may be waiting for it. An
     * older one is history or a backlog, where commits cost throughput and add little to its wait.
     */
    static final Duration LIVE_AGE = Duration.ofSeconds(2);

    private final ProcessorContext<?, ?> context;
    private final boolean pacing;
    private boolean liveSinceCommit;

    /** @param commits the live interval, and the requests of this task's thread ({@link ThreadCommits}) */
    CommitPacer(ProcessorContext<?, ?> context, ThreadCommits commits) {
        this.context = context;
        this.pacing = !commits.live().isZero();
        if (pacing) {
            context.schedule(commits.live(), PunctuationType.WALL_CLOCK_TIME, now -> {
                if (liveSinceCommit && commits.mayAsk(now)) {
                    liveSinceCommit = false;
                    context.commit();
                }
            });
        }
    }

    /**
     * A fence marker went out: routers hold writes until it arrives, so it commits within the live interval. Not at
     * once: a marker comes through every partition of every change topic, and a commit for each copy would queue up
     * more commits than one interval's.
     */
    void fenceForwarded() {
        if (pacing) {
            liveSinceCommit = true;
        }
    }

    /** A change of {@code timestampMs} went out: a live one is committed within the live interval. */
    void changeForwarded(long timestampMs) {
        if (pacing && context.currentSystemTimeMs() - timestampMs < LIVE_AGE.toMillis()) {
            liveSinceCommit = true;
        }
    }
}
