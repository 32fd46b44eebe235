package dev.shardflow.rebalancer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitPacerTest {
    private static final long NOW = 1_800_000_000_000L;

    private MockProcessorContext<byte[], byte[]> context;

    @BeforeEach
    void context() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(NOW);
    }

    private void tick() {
        tick(context);
    }

    private static void tick(MockProcessorContext<byte[], byte[]> task) {
        task.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(task.currentSystemTimeMs()));
    }

    @Test
    void aLiveChangeIsCommittedAtTheNextLiveTick() {
        CommitPacer pacer = new CommitPacer(context, new ThreadCommits(Duration.ofMillis(100)));
        assertThat(context.scheduledPunctuators()).singleElement().satisfies(p -> {
            assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(100));
            assertThat(p.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        });

        pacer.changeForwarded(NOW - 500);
        assertThat(context.committed()).as("not before the tick: live changes of one tick share a commit").isFalse();
        tick();
        assertThat(context.committed()).isTrue();

        context.resetCommit();
        tick();
        assertThat(context.committed()).as("nothing live since the last commit").isFalse();
    }

    @Test
    void historyWaitsForTheBulkInterval() {
        CommitPacer pacer = new CommitPacer(context, new ThreadCommits(Duration.ofMillis(100)));
        pacer.changeForwarded(NOW - CommitPacer.LIVE_AGE.toMillis() - 1);
        tick();
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aFenceMarkerIsCommittedAtTheNextLiveTickWhateverItsAge() {
        CommitPacer pacer = new CommitPacer(context, new ThreadCommits(Duration.ofMillis(100)));
        pacer.fenceForwarded();
        assertThat(context.committed()).isFalse();
        tick();
        assertThat(context.committed()).isTrue();
    }

    @Test
    void withoutALiveIntervalStreamsAloneCommits() {
        CommitPacer pacer = new CommitPacer(context, new ThreadCommits(Duration.ZERO));
        pacer.changeForwarded(NOW);
        pacer.fenceForwarded();
        tick();
        assertThat(context.scheduledPunctuators()).isEmpty();
        assertThat(context.committed()).isFalse();
    }

    @Test
    void theTasksOfOneThreadAskForOneCommitPerLiveInterval() {
        ThreadCommits commits = new ThreadCommits(Duration.ofMillis(100));
        MockProcessorContext<byte[], byte[]> other = new MockProcessorContext<>();
        other.setCurrentSystemTimeMs(NOW + 30);
        CommitPacer first = new CommitPacer(context, commits);
        CommitPacer second = new CommitPacer(other, commits);
        first.changeForwarded(NOW - 10);
        second.changeForwarded(NOW - 10);

        tick();
        tick(other);
        assertThat(context.committed()).isTrue();
        assertThat(other.committed()).as("the commit asked for 30 ms ago commits this task too").isFalse();

        other.setCurrentSystemTimeMs(NOW + 130);
        tick(other);
        assertThat(other.committed()).as("its live change still waits, one interval later").isTrue();
    }
}
