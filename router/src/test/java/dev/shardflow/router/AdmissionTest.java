package dev.shardflow.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Which writes a router lets through, without Kafka or a database: its admission alone, on a clock of its own. */
class AdmissionTest {
    private static final String TWO = document(1, "s0", "s1");
    private static final String THREE = document(2, "s0", "s1", "s2");
    private static final Topology BEFORE = TopologyLoader.parse(TWO, "before", Map.of());
    private static final Topology AFTER = TopologyLoader.parse(THREE, "after", Map.of());

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final Admission admission = new Admission("r1", Ownership.steady(BEFORE), Duration.ofMillis(200),
            Duration.ofSeconds(5), new SimpleMeterRegistry().timer("pause"), clock::get);

    private static String document(long epoch, String... shards) {
        StringBuilder yaml = new StringBuilder("keyspace: shop\nepoch: " + epoch + "\nshards:\n");
        for (String shard : shards) {
            yaml.append("  - {id: ").append(shard).append(", engine: postgresql, jdbcUrl: \"jdbc:postgresql://h/")
                    .append(shard).append("\", user: u, password: {env: PW}}\n");
        }
        return yaml.append("strategy: {type: hash}\ntables:\n  - {name: users, primaryKey: [id], shardKey: id}\n")
                .toString();
    }

    private static long movingKey() {
        return LongStream.range(0, 10_000).filter(k -> !BEFORE.strategy().ownerOf(k).equals(AFTER.strategy()
                .ownerOf(k))).findFirst().orElseThrow();
    }

    private static long stayingKey() {
        return LongStream.range(0, 10_000).filter(k -> BEFORE.strategy().ownerOf(k).equals(AFTER.strategy()
                .ownerOf(k))).findFirst().orElseThrow();
    }

    private void follow(TopologyState state) {
        admission.follow(Ownership.of(state, state.toBytes()));
    }

    @Test
    void noWriteIsAdmittedBeforeTheFirstBeatReachedKafka() {
        assertThatThrownBy(() -> admission.admit(1L, null)).isInstanceOf(RetryableRouteException.Unavailable.class)
                .hasMessageContaining("longer than its lease");
        admission.contacted(clock.get());
        assertThat(admission.admit(1L, null).shard()).isEqualTo(BEFORE.strategy().ownerOf(1L));
    }

    @Test
    void aRouterCutOffLongerThanItsLeaseRefusesEveryWrite() {
        admission.contacted(clock.get());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(5) + 1);
        assertThatThrownBy(() -> admission.admit(stayingKey(), null))
                .isInstanceOf(RetryableRouteException.Unavailable.class).hasMessageContaining("r1");
    }

    @Test
    void aFenceHoldsOnlyMovingKeysAndIsAcknowledgedOnceNoneOfThemIsInFlight() throws Exception {
        admission.contacted(clock.get());
        follow(new TopologyState("shop", TWO, THREE, TopologyState.Phase.FORWARD, "r-1"));
        Admission.Ticket inFlight = admission.admit(movingKey(), null);
        assertThat(inFlight.moving()).isTrue();

        follow(new TopologyState("shop", TWO, THREE, TopologyState.Phase.FORWARD, "r-1").withFence("f-1"));
        assertThat(admission.beat().ackedFence()).as("a write to a moving key is in flight").isNull();
        assertThat(admission.admit(stayingKey(), null).moving()).as("a staying key never waits").isFalse();
        admission.release(inFlight);
        assertThat(admission.beat().ackedFence()).isEqualTo("f-1");

        CompletableFuture<Admission.Ticket> held = CompletableFuture.supplyAsync(() -> admission.admit(movingKey(),
                null));
        await("held by the fence").during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> !held.isDone());
        follow(new TopologyState("shop", THREE, TWO, TopologyState.Phase.REVERSE, "r-1"));
        assertThat(held.get(5, TimeUnit.SECONDS).shard()).isEqualTo(AFTER.strategy().ownerOf(movingKey()));
    }

    @Test
    void aStaleRouteAndAShardBeingRebuiltAreRefused() {
        admission.contacted(clock.get());
        long key = movingKey();
        Route old = new Route(BEFORE.strategy().ownerOf(key), 1);
        follow(TopologyState.steady("shop", THREE));
        assertThatThrownBy(() -> admission.admit(key, old)).isInstanceOf(RetryableRouteException.StaleRoute.class)
                .hasMessageContaining("its owner is " + AFTER.strategy().ownerOf(key));
        follow(TopologyState.steady("shop", THREE).withHeld(List.of(AFTER.strategy().ownerOf(key))));
        assertThatThrownBy(() -> admission.admit(key, null)).isInstanceOf(RetryableRouteException.Unavailable.class)
                .hasMessageContaining("being rebuilt");
    }

    @Test
    void aRouterThatStoppedFollowingRefusesEveryWriteAndWakesHeldOnes() throws Exception {
        admission.contacted(clock.get());
        follow(new TopologyState("shop", TWO, THREE, TopologyState.Phase.FORWARD, "r-1").withFence("f-2"));
        CompletableFuture<Admission.Ticket> held = CompletableFuture.supplyAsync(() -> admission.admit(movingKey(),
                null));
        await("held by the fence").during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> !held.isDone());
        admission.fail(new IllegalStateException("the topology topic was deleted"));
        assertThat(held).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withCauseInstanceOf(RetryableRouteException.Unavailable.class)
                .withMessageContaining("the topology topic was deleted");
        assertThatThrownBy(() -> admission.admit(stayingKey(), null))
                .isInstanceOf(RetryableRouteException.Unavailable.class).hasMessageContaining("start a new router");
    }

    @Test
    void aTransactionWithOneMovingKeyWaitsAtTheFenceHoldingNoneOfItsKeys() throws Exception {
        admission.contacted(clock.get());
        TopologyState forward = new TopologyState("shop", TWO, THREE, TopologyState.Phase.FORWARD, "r-1");
        follow(forward.withFence("f-1"));
        assertThat(admission.beat().ackedFence()).isEqualTo("f-1");
        CompletableFuture<List<Admission.Ticket>> transaction = CompletableFuture.supplyAsync(
                () -> admission.admitAll(List.of(stayingKey(), movingKey()), null));
        // the staying key was not admitted alone: nothing is in flight, the fence stays acknowledged
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !transaction.isDone());
        assertThat(admission.beat().inFlight()).isZero();
        assertThat(admission.beat().ackedFence()).isEqualTo("f-1");

        follow(new TopologyState("shop", THREE, TWO, TopologyState.Phase.REVERSE, "r-1"));
        List<Admission.Ticket> tickets = transaction.get(2, TimeUnit.SECONDS);
        assertThat(tickets).extracting(Admission.Ticket::shard).containsExactly(AFTER.strategy().ownerOf(stayingKey()),
                AFTER.strategy().ownerOf(movingKey()));
        tickets.forEach(admission::release);
        assertThat(admission.beat().inFlight()).isZero();
    }
}
