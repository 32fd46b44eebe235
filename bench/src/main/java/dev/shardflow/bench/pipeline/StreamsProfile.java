package dev.shardflow.bench.pipeline;

import dev.shardflow.bench.JmxMetrics;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;

/**
 * How the stream threads of one Streams application spent their time, from the metrics Kafka Streams and its
 * clients publish over JMX in this process: the share of each loop in poll, process, commit and punctuate (sampled
 * while the application runs, averaged over samples and threads), and the producers' cumulative time in
 * transactions (begin, offsets, commit) and flushes.
 */
final class StreamsProfile {
    private static final String[] RATIOS = {"poll-ratio", "process-ratio", "commit-ratio", "punctuate-ratio"};
    private static final String[] PRODUCER_TOTALS = {"txn-begin-time-ns-total", "txn-send-offsets-time-ns-total",
        "txn-commit-time-ns-total", "flush-time-ns-total"};

    private final String applicationId;
    private final Map<String, Double> ratioSums = new LinkedHashMap<>();
    private int samples;

    StreamsProfile(String applicationId) {
        this.applicationId = applicationId;
        for (String ratio : RATIOS) {
            ratioSums.put(ratio, 0.0);
        }
    }

    /** Takes one sample of each running thread's ratios. */
    void sample() {
        for (ObjectName name : names("kafka.streams:type=stream-thread-metrics,*", "thread-id")) {
            boolean sampled = false;
            for (String ratio : RATIOS) {
                if (JmxMetrics.read(name, ratio) instanceof Double d && !d.isNaN()) {
                    ratioSums.merge(ratio, d, Double::sum);
                    sampled = true;
                }
            }
            samples += sampled ? 1 : 0;
        }
    }

    private java.util.Set<ObjectName> names(String pattern, String clientKey) {
        return JmxMetrics.names(pattern, clientKey, applicationId);
    }

    /** Seconds spent by every producer of the application's threads in each kind of transactional call. */
    private Map<String, Double> producerSeconds() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (ObjectName name : names("kafka.producer:type=producer-metrics,*", "client-id")) {
            for (String total : PRODUCER_TOTALS) {
                if (JmxMetrics.read(name, total) instanceof Double d && !d.isNaN()) {
                    seconds.merge(total.replace("-time-ns-total", ""), d / 1e9, Double::sum);
                }
            }
        }
        return seconds;
    }

    String report() {
        StringBuilder out = new StringBuilder("    stream threads' loop time:");
        ratioSums.forEach((ratio, sum) -> out.append(String.format(Locale.ROOT, " %s %.0f %%",
                ratio.replace("-ratio", ""), samples == 0 ? 0 : 100 * sum / samples)));
        out.append(String.format(Locale.ROOT, " (%d samples)%n    producers, time in calls:", samples));
        producerSeconds().forEach((call, s) -> out.append(String.format(Locale.ROOT, " %s %.1f s", call, s)));
        return out.append('\n').toString();
    }
}
