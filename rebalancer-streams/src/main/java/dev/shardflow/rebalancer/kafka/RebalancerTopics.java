package dev.shardflow.rebalancer.kafka;

import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.CopyStarts;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.kafka.MessageSizes;
import dev.shardflow.kafka.MissingTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics a rebalancer reads and writes: it needs the change topics of capture to exist, and creates what is
 * missing of its own — the compacted topology and poison topics, the dead-letter topic, an apply topic per shard and a compacted
 * topic per view, each able to hold the keyspace's largest change (and raises that where an existing one is lower) —
 * waiting
 * until every partition has a leader, because a producer that writes to a partition without one can be refused
 * for good.
 */
public final class RebalancerTopics {
    private static final Logger log = LoggerFactory.getLogger(RebalancerTopics.class);

    private RebalancerTopics() {}

    /**
     * The change topics the rebalancer routes: every table's — placed by a shard key, by its parent, or a reference
     * table, whose copy a shard joining the ring receives.
     */
    public static List<String> changeTopics(Topology topology) {
        TopicNames names = TopicNames.of(topology);
        return topology.tables().stream().map(t -> names.cdc(t.name())).toList();
    }

    public static void ensure(KafkaConnection kafka, Topology topology, List<ShardSpec> shards, int partitions,
            int replicationFactor) {
        TopicNames names = TopicNames.of(topology);
        try (Admin admin = kafka.admin(Map.of())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> missingChanges = changeTopics(topology).stream().filter(t -> !existing.contains(t)).toList();
            if (!missingChanges.isEmpty()) {
                throw new IllegalStateException("change topics " + missingChanges + " do not exist on "
                        + kafka + "; start the capture of keyspace " + topology.keyspace() + " first");
            }
            short replicas = (short) Math.min(replicationFactor,
                    admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            List<NewTopic> wanted = new ArrayList<>();
            // topics a change passes through carry the keyspace's largest change
            Map.Entry<String, String> size = MessageSizes.topicConfig(topology.maxMessageBytes());
            List<NewTopic> sized = new ArrayList<>();
            childrenTopic(admin, topology, replicas).ifPresent(t -> sized.add(t.configs(Map.ofEntries(size))));
            wanted.add(new NewTopic(names.topology(), 1, replicas).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT)));
            wanted.add(new NewTopic(names.poison(), 1, replicas).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT)));
            sized.add(new NewTopic(names.dlq(), partitions, replicas).configs(Map.ofEntries(size)));
            wanted.add(new NewTopic(CopyStarts.topic(names), 1, replicas).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            for (ShardSpec shard : shards) {
                sized.add(new NewTopic(names.apply(shard.id()), partitions, replicas).configs(Map.ofEntries(size)));
            }
            for (var view : topology.views().stream().filter(v -> !v.inPlace()).toList()) {
                sized.add(new NewTopic(names.view(view.name()), partitions, replicas).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT, size.getKey(),
                        size.getValue())));
            }
            wanted.addAll(sized);
            List<String> sizedNames = new ArrayList<>(changeTopics(topology));
            sized.forEach(t -> sizedNames.add(t.name()));
            MessageSizes.raise(admin, sizedNames.stream().filter(existing::contains).toList(),
                    topology.maxMessageBytes());
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            List<String> created = MissingTopics.create(admin, missing, Duration.ofSeconds(60));
            if (!created.isEmpty()) {
                log.info("created topics {}", created);
            }
            awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare the rebalancer's topics on " + kafka + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing topics", e);
        }
    }

    /** The topic children pass through, with as many partitions as their parents' change topic. */
    private static java.util.Optional<NewTopic> childrenTopic(Admin admin, Topology topology, short replicas)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<TableSpec> children = topology.tables().stream()
                .filter(t -> t.placement() == TableSpec.Placement.PARENT).toList();
        if (children.isEmpty()) {
            return java.util.Optional.empty();
        }
        TopicNames names = TopicNames.of(topology);
        List<String> parents = children.stream().map(t -> names.cdc(t.parentTable())).distinct().toList();
        Set<Integer> counts = new java.util.HashSet<>();
        admin.describeTopics(parents).allTopicNames().get(30, TimeUnit.SECONDS).values()
                .forEach(d -> counts.add(d.partitions().size()));
        if (counts.size() != 1) {
            throw new IllegalStateException("the change topics of parent tables " + parents + " have different "
                    + "partition counts " + counts + "; give them the same count");
        }
        int partitions = counts.iterator().next();
        String name = TopicNames.of(topology).childrenByParent();
        Map<String, org.apache.kafka.clients.admin.TopicDescription> existing = admin.describeTopics(
                admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(name::equals).toList())
                .allTopicNames().get(30, TimeUnit.SECONDS);
        if (existing.containsKey(name) && existing.get(name).partitions().size() != partitions) {
            throw new IllegalStateException(name + " has " + existing.get(name).partitions().size() + " partitions "
                    + "but the parents' change topics have " + partitions + "; children would not meet their parents. "
                    + "Delete it (the rebalancer recreates it) or give it " + partitions + " partitions");
        }
        return java.util.Optional.of(new NewTopic(name, partitions, replicas));
    }

    private static void awaitLeaders(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!allLed(admin, topics)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader after 60 s");
            }
            Thread.sleep(50);
        }
    }

    private static boolean allLed(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .flatMap(d -> d.partitions().stream()).noneMatch(p -> p.leader() == null || p.leader().isEmpty());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false; // just created: not every broker knows the topic yet
            }
            throw e;
        }
    }
}
