package dev.shardflow.topology.workflow;

import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.CopyStarts;
import dev.shardflow.kafka.GroupLag;
import dev.shardflow.kafka.KafkaConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a rebalance's move is, read from Kafka as any operator tool would: the copy's committed position against
 * the end offsets the rebalancer recorded when the copy started ({@code <prefix>.rebalancer.copy-starts}), the
 * move's lag behind the change topics now, and the lag of writers behind their apply topics.
 */
public final class MoveWatch {
    private final Admin admin;
    private final TopicNames topics;
    private final String keyspace;
    private final String rebalancerApplicationId;
    private final CopyStarts copyStarts;
    private final GroupLag lags;

    public MoveWatch(KafkaConnection kafka, Admin admin, TopicNames topics, String keyspace,
            String rebalancerApplicationId) {
        this.admin = admin;
        this.topics = topics;
        this.keyspace = keyspace;
        this.rebalancerApplicationId = rebalancerApplicationId;
        this.copyStarts = new CopyStarts(kafka, topics);
        this.lags = new GroupLag(kafka, admin, Duration.ofSeconds(30));
    }

    /**
     * The figures of a rebalance's move that its status and the metrics report: the copy's progress (null before the
     * move started), and the records still to apply — by the move and by the writers of the side changes flow to —
     * while the rebalance moves changes (null otherwise).
     */
    public record Figures(CopyProgress copy, Long lag) {}

    /** The figures of {@code rebalance}'s move, now. */
    public Figures figures(Rebalance rebalance) throws Exception {
        CopyProgress copy = copyProgress(rebalance.id()).orElse(null);
        Long lag = null;
        if (!rebalance.state().terminal() && rebalance.state() != RebalanceState.PLANNED) {
            List<String> targets = rebalance.state().afterCutover() ? rebalance.plan().sources()
                    : rebalance.plan().targets();
            lag = moveLag(rebalance.id()).orElse(0L) + writerLag(targets);
        }
        return new Figures(copy, lag);
    }

    /** The copy's progress, or empty before the rebalancer has started the move. */
    public Optional<CopyProgress> copyProgress(String rebalanceId) throws Exception {
        return copyStarts.progress(rebalanceId, committed(moveGroup(rebalanceId)));
    }

    /** Change records the move has yet to read, now; empty before the move started. */
    public Optional<Long> moveLag(String rebalanceId) throws Exception {
        Optional<Map<TopicPartition, Long>> start = copyStarts.recorded(rebalanceId);
        if (start.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(lags.behind(moveGroup(rebalanceId), start.get().keySet()));
    }

    /** Records the writers of {@code shards} have yet to apply, now. */
    public long writerLag(List<String> shards) throws Exception {
        long lag = 0;
        for (String shard : shards) {
            lag += lags.behind(ConsumerGroups.writer(keyspace, shard), topics.apply(shard));
        }
        return lag;
    }

    /** True while any rebalancer instance still runs the move of {@code rebalanceId}. */
    public boolean moveRunning(String rebalanceId) throws Exception {
        String group = moveGroup(rebalanceId);
        var description = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
        return description != null && !description.members().isEmpty();
    }

    private String moveGroup(String rebalanceId) {
        return ConsumerGroups.move(rebalancerApplicationId, rebalanceId);
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group)
            throws InterruptedException, ExecutionException, TimeoutException {
        return lags.committed(group);
    }
}
