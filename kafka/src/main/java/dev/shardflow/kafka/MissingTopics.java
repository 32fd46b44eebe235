package dev.shardflow.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics a process found missing. Processes of one kind start together — two topology services, a
 * rebalancer per host, a supervisor starting everything at once — and each finds the same topics missing; a topic
 * another one created in between is there as wanted, not a reason to stop.
 */
public final class MissingTopics {

    private MissingTopics() {}

    /**
     * Creates {@code missing}, each topic on its own, and returns the names of those this call created.
     *
     * @throws ExecutionException the first failure other than a topic that exists already
     */
    public static List<String> create(Admin admin, List<NewTopic> missing, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (missing.isEmpty()) {
            return List.of();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> topic : admin.createTopics(missing).values().entrySet()) {
            try {
                topic.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                created.add(topic.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }
}
