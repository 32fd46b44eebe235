package dev.shardflow.core.contract;

import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paths one marker row of a source — a cutover fence, a verify or replay watermark — takes to a target's
 * writers, and so how many copies of it they apply. Capture appends the marker to every partition of every change
 * topic; the rebalancer routes the change topics of sharded and reference tables straight to apply topics, and
 * those of child tables through every partition of {@link TopicNames#childrenByParent()}; every copy it forwards
 * goes to every partition of the apply topic of each shard that changes flow to (a shard that gains keys, or joins
 * the ring), and to no other. A writer records each copy with its path, so the count says when everything the source
 * wrote before the marker is in place.
 *
 * <p>The rebalancer builds its topology from {@link #routedTopics} and {@link #childTopics}; the topology service
 * counts with {@link #copiesPerSource}. Both follow this one rule.
 */
public final class MarkerFanOut {

    private MarkerFanOut() {}

    /** The change topics routed straight to apply topics: sharded tables' and reference tables'. */
    public static List<String> routedTopics(Topology topology) {
        List<String> topics = new ArrayList<>(changeTopics(topology, TableSpec.Placement.SHARD_KEY));
        // reference tables go the same way: a shard joining the ring gets its copy behind the same markers
        topics.addAll(changeTopics(topology, TableSpec.Placement.REFERENCE));
        return topics;
    }

    /** The change topics of child tables, re-keyed by parent row before they are routed. */
    public static List<String> childTopics(Topology topology) {
        return changeTopics(topology, TableSpec.Placement.PARENT);
    }

    /** The topics whose partition counts {@link #copiesPerSource} needs for {@code target}. */
    public static List<String> countedTopics(Topology topology, String target) {
        TopicNames names = TopicNames.of(topology);
        List<String> topics = new ArrayList<>(routedTopics(topology));
        topics.addAll(childTopics(topology));
        if (!childTopics(topology).isEmpty()) {
            topics.add(names.childrenByParent());
        }
        topics.add(names.apply(target));
        return topics;
    }

    /**
     * The copies of one source's marker the writers of {@code target} apply while {@code topology} is in force.
     *
     * @param partitions the partition count of each of {@link #countedTopics}
     */
    public static long copiesPerSource(Topology topology, String target, Map<String, Integer> partitions) {
        TopicNames names = TopicNames.of(topology);
        long paths = 0;
        for (String topic : routedTopics(topology)) {
            paths += partitionsOf(partitions, topic);
        }
        for (String topic : childTopics(topology)) {
            paths += (long) partitionsOf(partitions, topic) * partitionsOf(partitions, names.childrenByParent());
        }
        return paths * partitionsOf(partitions, names.apply(target));
    }

    private static List<String> changeTopics(Topology topology, TableSpec.Placement placement) {
        TopicNames names = TopicNames.of(topology);
        return topology.tables().stream().filter(t -> t.placement() == placement).map(t -> names.cdc(t.name()))
                .toList();
    }

    private static int partitionsOf(Map<String, Integer> partitions, String topic) {
        Integer count = partitions.get(topic);
        if (count == null) {
            throw new IllegalArgumentException("the partition count of " + topic + " is missing");
        }
        return count;
    }
}
