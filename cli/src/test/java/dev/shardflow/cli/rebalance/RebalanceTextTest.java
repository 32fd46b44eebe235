package dev.shardflow.cli.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RebalanceTextTest {

    @Test
    void eachCutoverShowsItsPauseAndWhereThePauseWentInOrder() throws Exception {
        JsonNode status = new ObjectMapper().readTree("""
                {"rebalance": {"id": "r2-x", "state": "CUT_OVER", "fences": [
                  {"id": "r2-x-f1", "outcome": "aborted", "reason": "routers did not acknowledge", "pauseMs": 5000},
                  {"id": "r2-x-f2", "outcome": "committed", "pauseMs": 212,
                   "phasesMs": {"routers": 12, "markers": 4, "capture": 30, "rebalancer hop 1": 60,
                                "to writer": 50, "writer apply": 36, "epoch commit": 20},
                   "slowestPath": "pg2 via sf.shop.cdc.users:3"}]}}
                """);
        String text = RebalanceText.status(status, 0);
        assertThat(text).contains("fence  r2-x-f1 aborted, writes to moving keys paused 5000 ms\n  fence  r2-x-f2");
        assertThat(text).contains("fence  r2-x-f2 committed, writes to moving keys paused 212 ms\n"
                + "         routers 12 ms · markers 4 ms · capture 30 ms · rebalancer hop 1 60 ms · to writer 50 ms · "
                + "writer apply 36 ms · epoch commit 20 ms\n"
                + "         slowest marker copy: pg2 via sf.shop.cdc.users:3");
    }

    @Test
    void aMoveHeldBehindASchemaChangeSaysWhereWhyAndHowToGoOn() throws Exception {
        String reason = "shard maria1 changed table users: column country dropped or renamed (ALTER TABLE users DROP "
                + "COLUMN country)";
        JsonNode status = new ObjectMapper().readTree("""
                {"rebalance": {"id": "r3-y", "state": "CATCHING_UP"},
                 "schemaHolds": [{"shard": "pg2", "source": "maria1", "table": "users", "since": "2026-12-05 06:01:02",
                   "reason": "%s"}]}
                """.formatted(reason));
        assertThat(RebalanceText.status(status, 0)).contains("\n  HELD   pg2 holds the rows of maria1.users since "
                + "2026-12-05 06:01:02: shard maria1 changed table users: column country dropped or renamed (ALTER "
                + "TABLE users DROP COLUMN country)\n         make each change on the targets, then: shardctl "
                + "rebalance resume r3-y");
        assertThat(RebalanceText.status(new ObjectMapper().readTree("{\"rebalance\": {\"id\": \"r3-y\", "
                + "\"state\": \"CATCHING_UP\"}}"), 0)).doesNotContain("HELD", "resume");
    }

    @Test
    void aDryRunShowsTheEpochsOfItsTopologiesAndWhatMoves() throws Exception {
        String from = """
                keyspace: shop
                epoch: 2
                shards:
                  - {id: s0, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/s0", user: u, password: {env: PW}}
                  - {id: s1, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/s1", user: u, password: {env: PW}}
                strategy: {type: hash, shards: [s0]}
                tables:
                  - {name: users, primaryKey: [id], shardKey: id}
                """;
        String to = from.replace("epoch: 2", "epoch: 3").replace("shards: [s0]", "shards: [s0, s1]");
        ObjectMapper json = new ObjectMapper();
        JsonNode plan = json.createObjectNode().put("fromDocument", from).put("toDocument", to)
                .set("plan", json.readTree("{\"movedFraction\": 0.5, \"moves\": [{\"from\": \"s0\", \"to\": \"s1\", "
                        + "\"fraction\": 0.5}]}"));
        assertThat(RebalanceText.plan(plan)).isEqualTo("epoch 2 -> 3  moves 50.0 % of the keys\n  s0 -> s1  50.0 %");
    }
}
