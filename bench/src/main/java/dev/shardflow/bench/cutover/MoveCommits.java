package dev.shardflow.bench.cutover;

import dev.shardflow.bench.JmxMetrics;
import java.util.List;
import java.util.Locale;
import javax.management.ObjectName;

/**
 * How much of a move's stream thread went into committing over a window: the commits its threads made and the time
 * its producers spent in the calls of a commit (flush, offsets, commit of the transaction), from the cumulative
 * metrics Kafka Streams and its producers publish over JMX in this process. While a thread commits it reads nothing,
 * so a fence marker that arrives then waits for the commit to end.
 */
final class MoveCommits {
    private static final String[] COMMIT_CALLS = {"flush-time-ns-total", "txn-send-offsets-time-ns-total",
        "txn-commit-time-ns-total"};

    private final String applicationId;
    private final long startedNanos = System.nanoTime();
    private final double commitsBefore;
    private final double secondsBefore;

    private MoveCommits(String applicationId) {
        this.applicationId = applicationId;
        this.commitsBefore = commits();
        this.secondsBefore = commitSeconds();
    }

    /** Starts a window over the move of application id {@code applicationId}. */
    static MoveCommits start(String applicationId) {
        return new MoveCommits(applicationId);
    }

    /** The window so far, one line: commits a second, time per commit, share of the window spent committing. */
    Window end() {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        double commits = commits() - commitsBefore;
        double committing = commitSeconds() - secondsBefore;
        return new Window(seconds, commits, committing);
    }

    /** @param committingSeconds time the move's producers spent flushing, sending offsets and committing */
    record Window(double seconds, double commits, double committingSeconds) {
        /** The windows together, as one. */
        static Window sum(List<Window> windows) {
            return new Window(windows.stream().mapToDouble(Window::seconds).sum(),
                    windows.stream().mapToDouble(Window::commits).sum(),
                    windows.stream().mapToDouble(Window::committingSeconds).sum());
        }

        double perCommitMs() {
            return commits == 0 ? 0 : 1000 * committingSeconds / commits;
        }

        double share() {
            return seconds == 0 ? 0 : committingSeconds / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f commits/s, %.1f ms each (flush, offsets, commit), %.0f %% of "
                    + "the time committing", commits / seconds, perCommitMs(), 100 * share());
        }
    }

    private double commits() {
        double sum = 0;
        for (ObjectName name : names("kafka.streams:type=stream-thread-metrics,*", "thread-id")) {
            if (JmxMetrics.read(name, "commit-total") instanceof Double d && !d.isNaN()) {
                sum += d;
            }
        }
        return sum;
    }

    private double commitSeconds() {
        double sum = 0;
        for (ObjectName name : names("kafka.producer:type=producer-metrics,*", "client-id")) {
            for (String call : COMMIT_CALLS) {
                if (JmxMetrics.read(name, call) instanceof Double d && !d.isNaN()) {
                    sum += d / 1e9;
                }
            }
        }
        return sum;
    }

    private java.util.Set<ObjectName> names(String pattern, String clientKey) {
        return JmxMetrics.names(pattern, clientKey, applicationId + "-");
    }
}
