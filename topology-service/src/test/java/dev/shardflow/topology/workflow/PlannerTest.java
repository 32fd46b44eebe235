package dev.shardflow.topology.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.testkit.ShopTopology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final String FOUR = ShopTopology.routingDocument(3, List.of("s0", "s1", "s2", "s3"));

    private static JsonNode shard(String id) throws Exception {
        return EventJson.mapper().readTree("{\"id\": \"" + id + "\", \"engine\": \"postgresql\", \"jdbcUrl\": "
                + "\"jdbc:postgresql://h/" + id + "\", \"user\": \"u\", \"password\": {\"env\": \"PW\"}}");
    }

    @Test
    void addingAFifthShardMovesAFifthOfTheKeysAllToTheNewShardUnderTheNextEpoch() throws Exception {
        Planner.Target target = Planner.plan(FOUR, Planner.Request.addShard(shard("s4")));
        assertThat(target.topology().epoch()).isEqualTo(4);
        assertThat(target.topology().strategy().shards()).containsExactly("s0", "s1", "s2", "s3", "s4");
        assertThat(target.plan().movedFraction()).isCloseTo(1.0 / 5, within(0.02));
        assertThat(target.plan().moves()).extracting(Rebalance.Move::to).containsOnly("s4");
        assertThat(target.plan().moves()).extracting(Rebalance.Move::from)
                .containsExactlyInAnyOrder("s0", "s1", "s2", "s3");
        assertThat(target.plan().moves().stream().mapToDouble(Rebalance.Move::fraction).sum())
                .isCloseTo(target.plan().movedFraction(), within(1e-9));
        var again = Planner.plan(FOUR, Planner.Request.addShard(shard("s4"))).topology().strategy();
        assertThat(java.util.stream.LongStream.range(0, 100_000)
                .filter(key -> !target.topology().strategy().ownerOf(key).equals(again.ownerOf(key))).count())
                .as("the same request plans the same ring").isZero();
    }

    @Test
    void removingAShardMovesOnlyItsKeysAndKeepsItDeclaredAsASource() {
        Planner.Target target = Planner.plan(FOUR, new Planner.Request(null, List.of("s2"), null, null));
        assertThat(target.topology().strategy().shards()).containsExactly("s0", "s1", "s3");
        assertThat(target.topology().shard("s2")).isPresent();
        assertThat(target.plan().moves()).extracting(Rebalance.Move::from).containsOnly("s2");
        assertThat(target.plan().movedFraction()).isCloseTo(1.0 / 4, within(0.03));
    }

    @Test
    void aDeclaredShardCanBeAddedByIdAndAWeightChangeMovesKeysTowardsTheHeavierShard() {
        Planner.Target smaller = Planner.plan(FOUR, new Planner.Request(null, List.of("s3"), null, null));
        Planner.Target back = Planner.plan(smaller.document(),
                new Planner.Request(List.of(TextNode.valueOf("s3")), null, null, null));
        assertThat(back.topology().epoch()).isEqualTo(5);
        assertThat(back.plan().moves()).extracting(Rebalance.Move::to).containsOnly("s3");

        Planner.Target heavier = Planner.plan(FOUR, new Planner.Request(null, null, Map.of("s1", 2.0), null));
        assertThat(heavier.plan().moves()).extracting(Rebalance.Move::to).containsOnly("s1");
    }

    @Test
    void impossibleRequestsAreRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> Planner.plan(FOUR, new Planner.Request(null, null, null, null)))
                .hasMessageContaining("nothing asked");
        assertThatThrownBy(() -> Planner.plan(FOUR, new Planner.Request(null, List.of("s9"), null, null)))
                .hasMessageContaining("remove: shard s9 is not in the ring");
        assertThatThrownBy(() -> Planner.plan(FOUR, new Planner.Request(List.of(TextNode.valueOf("s9")), null, null,
                null))).hasMessageContaining("add: shard s9 is not declared; give its id, engine, jdbcUrl");
        assertThatThrownBy(() -> Planner.plan(FOUR, Planner.Request.addShard(shard("s1"))))
                .hasMessageContaining("already in the ring");
        assertThatThrownBy(() -> Planner.plan(FOUR, new Planner.Request(null, List.of("s0", "s1", "s2", "s3"), null,
                null))).hasMessageContaining("no shard left");
        String otherTables = FOUR.replace("{name: products, primaryKey: [id], reference: true}",
                "{name: coupons, primaryKey: [id], reference: true}");
        assertThatThrownBy(() -> Planner.plan(FOUR, new Planner.Request(null, null, null, otherTables)))
                .hasMessageContaining("cannot change the topic prefix or the tables");
        assertThatThrownBy(() -> Planner.plan(FOUR, new Planner.Request(null, null, null, FOUR)))
                .hasMessageContaining("nothing to rebalance");
    }
}
