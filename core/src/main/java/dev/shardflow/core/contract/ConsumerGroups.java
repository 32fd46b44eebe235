package dev.shardflow.core.contract;


/**
 * The Kafka consumer groups and Streams application ids of shardflow's processes. The topology service reads the
 * lag of these groups to decide when a move has caught up and when a cutover may proceed, so a process never picks
 * another: each is derived from the keyspace (and the shard or rebalance) alone.
 */
public final class ConsumerGroups {

    private ConsumerGroups() {}

    /** The group of the writer instances that apply one target shard's changes. */
    public static String writer(String keyspace, String shardId) {
        return "shardflow-writer-" + keyspace + "-" + shardId;
    }

    /** The prefix of the rebalancer's Streams application ids for a keyspace. */
    public static String rebalancer(String keyspace) {
        return "shardflow-rebalancer-" + keyspace;
    }

    /** The Streams application of one rebalance's move, under the rebalancer's application id. */
    public static String move(String rebalancerApplicationId, String rebalanceId) {
        return rebalancerApplicationId + "-" + rebalanceId;
    }

    /** The Streams application that keeps a keyspace's views, under the rebalancer's application id. */
    public static String views(String rebalancerApplicationId) {
        return rebalancerApplicationId + "-views";
    }

    /** The Streams application that finds bad change records as they arrive, under the rebalancer's application id. */
    public static String poisonWatch(String rebalancerApplicationId) {
        return rebalancerApplicationId + "-poison-watch";
    }
}
