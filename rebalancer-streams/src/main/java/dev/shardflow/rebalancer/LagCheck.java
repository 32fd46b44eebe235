package dev.shardflow.rebalancer;

import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.CaptureStatus;
import dev.shardflow.kafka.GroupLag;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * Whether a move should hold for the lag it causes or meets (the lag throttle): a source whose capture is further
 * behind than {@code throttle.maxCaptureLagMs}, as its capture last reported, or a target writer further behind its
 * apply topic than {@code throttle.maxApplyLagRecords} change records, counted as the topology service counts
 * them ({@link GroupLag}). Each check is bounded; one that cannot be made holds nothing and says why.
 */
final class LagCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final RebalancerOptions options;
    private final GroupLag lags;

    LagCheck(RebalancerOptions options, Admin admin) {
        this.options = options;
        this.lags = new GroupLag(options.kafka(), admin, TIMEOUT);
    }

    /** Why the move should hold now, naming the shard, its lag and the bound; null when nothing is above a bound. */
    String holdReason() throws Exception {
        RebalancerOptions.LagBounds bounds = options.lagBounds();
        TopicNames names = TopicNames.of(options.topology());
        if (bounds.maxCaptureLagMs() > 0) {
            for (CaptureReport report : CaptureStatus.read(options.kafka(), names, TIMEOUT).values()) {
                if (report.lagMs() != null && report.lagMs() > bounds.maxCaptureLagMs()) {
                    return "the capture of " + report.shard() + " is " + report.lagMs() + " ms behind its source, "
                            + "above throttle.maxCaptureLagMs (" + bounds.maxCaptureLagMs() + ")";
                }
            }
        }
        if (bounds.maxApplyLagRecords() > 0) {
            for (ShardSpec shard : options.topology().shards()) {
                long lag = lags.behind(ConsumerGroups.writer(options.topology().keyspace(), shard.id()),
                        names.apply(shard.id()));
                if (lag > bounds.maxApplyLagRecords()) {
                    return "the writers of " + shard.id() + " are " + lag + " change records behind their apply "
                            + "topic, above throttle.maxApplyLagRecords (" + bounds.maxApplyLagRecords() + ")";
                }
            }
        }
        return null;
    }
}
