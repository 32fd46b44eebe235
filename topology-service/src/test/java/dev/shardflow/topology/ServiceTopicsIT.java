package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.MissingTopics;
import dev.shardflow.testkit.kafka.EmbeddedKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Topology services started together each find the service's topics missing and create them: the one that loses the
 * race finds them there, as wanted, and starts. (The chaos harness's two instances did not: the loser stopped with
 * {@code TopicExistsException} until its supervisor started it again.)
 */
class ServiceTopicsIT {

    @Test
    void aTopicCreatedBetweenTheLookAndTheCreateIsThereAsWanted() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1, Map.of());
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            NewTopic first = new NewTopic("sf.race.first", 1, (short) 1);
            NewTopic second = new NewTopic("sf.race.second", 1, (short) 1);
            assertThat(MissingTopics.create(admin, List.of(first), Duration.ofSeconds(30)))
                    .containsExactly("sf.race.first");
            // a list made before another process created the first one
            assertThat(MissingTopics.create(admin, List.of(first, second), Duration.ofSeconds(30)))
                    .containsExactly("sf.race.second");
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("sf.race.first",
                    "sf.race.second");

            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> starts = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    starts.add(pool.submit(() -> ServiceTopics.ensure(admin, new TopicNames("sf.together"), (short) 1,
                            kafka.connection())));
                }
                for (Future<?> start : starts) {
                    start.get(60, TimeUnit.SECONDS); // throws what ensure threw
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(
                    new TopicNames("sf.together").topology(), new TopicNames("sf.together").routers());
        }
    }
}
