package dev.shardflow.topology.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.topology.workflow.Rebalance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One writer of the registry at a time: of two instances one leads and the other waits; the standby takes over when
 * the leader goes; a former leader that still holds its log cannot commit once another has opened it; state and
 * rebalance are committed together and read back as committed.
 */
class RegistryIT {
    private static final TopicNames TOPICS = new TopicNames("sf.shop");
    private static Testbed testbed;

    @BeforeAll
    static void start() {
        testbed = Testbed.builder().kafkaBrokers(1).start();
        testbed.kafka().createTopic(TOPICS.topology(), 1, 1, Map.of("cleanup.policy", "compact"));
        testbed.kafka().createTopic(TOPICS.rebalances(), 1, 1, Map.of("cleanup.policy", "compact"));
        testbed.kafka().createTopic(TOPICS.topologyLeader(), 1, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        if (testbed != null) {
            testbed.close();
        }
    }

    private static final class Counting implements Leadership.Listener {
        final AtomicInteger elected = new AtomicInteger();
        final AtomicInteger deposed = new AtomicInteger();

        @Override
        public void elected() {
            elected.incrementAndGet();
        }

        @Override
        public void deposed() {
            deposed.incrementAndGet();
        }
    }

    @Test
    void oneInstanceLeadsTheStandbyTakesOverAndAFormerLeaderCannotCommit() {
        KafkaConnection bootstrap = testbed.kafka().connection();
        Counting first = new Counting();
        Counting second = new Counting();
        Leadership a = new Leadership(bootstrap, "shop", TOPICS, "a", Duration.ofSeconds(6), first).start();
        await("a leads").atMost(Duration.ofSeconds(30)).until(a::leading);
        Leadership b = new Leadership(bootstrap, "shop", TOPICS, "b", Duration.ofSeconds(6), second).start();
        try {
            await("b has joined as standby").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20))
                    .until(() -> a.leading() && !b.leading());

            String doc = ShopTopology.routingDocument(1, List.of("s0", "s1"));
            Rebalance planned = Rebalance.planned("r1", "shop", doc, ShopTopology.routingDocument(2,
                    List.of("s0", "s1", "s2")), new Rebalance.Plan(0.33, List.of()), 1_000);
            try (RegistryLog formerLeader = RegistryLog.openForWriting(bootstrap, "shop", TOPICS)) {
                formerLeader.commit(TopologyState.steady("shop", doc), planned);
                assertThat(RegistryLog.read(bootstrap, "shop", TOPICS).rebalances()).containsKey("r1");

                a.close();
                await("b takes over").atMost(Duration.ofSeconds(30)).until(b::leading);
                assertThat(first.deposed).hasValue(1);
                try (RegistryLog newLeader = RegistryLog.openForWriting(bootstrap, "shop", TOPICS)) {
                    assertThatThrownBy(() -> formerLeader.commit(null, planned.to(
                            dev.shardflow.topology.workflow.RebalanceState.COPYING, "stale", 2_000)))
                            .isInstanceOf(NotLeaderException.class);
                    newLeader.commit(null, planned.to(dev.shardflow.topology.workflow.RebalanceState.CANCELLED,
                            "cancelled", 3_000));
                }
            }
            RegistryLog.Contents contents = RegistryLog.read(bootstrap, "shop", TOPICS);
            assertThat(contents.state()).contains(TopologyState.steady("shop", ShopTopology.routingDocument(1,
                    List.of("s0", "s1"))));
            assertThat(contents.rebalances().get("r1").state())
                    .isEqualTo(dev.shardflow.topology.workflow.RebalanceState.CANCELLED);
            assertThat(contents.rebalances().get("r1").history()).extracting(Rebalance.Transition::note)
                    .containsExactly("planned", "cancelled");
        } finally {
            a.close();
            b.close();
        }
    }
}
