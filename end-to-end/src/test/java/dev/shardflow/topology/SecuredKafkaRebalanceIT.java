package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.CaptureService;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.kafka.EmbeddedKafkaCluster;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.writer.WriterOptions;
import dev.shardflow.writer.WriterService;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole rebalance on a Kafka cluster whose only client listener is SASL_SSL (SCRAM-SHA-512 over TLS): the topology
 * service, capture with Debezium's offset and schema-history clients, the rebalancer's Streams applications, the
 * writers and an application's {@link ShardRouter} all reach it through the same client properties, from a
 * PostgreSQL and a MariaDB shard to a new PostgreSQL shard, under writes. A process with a wrong password stops at
 * start, saying so.
 */
class SecuredKafkaRebalanceIT {
    private static final Logger log = LoggerFactory.getLogger(SecuredKafkaRebalanceIT.class);

    @Test
    void aRebalanceRunsOverSaslSslAndAWrongPasswordStopsAProcessAtStart() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSecured();
        running.add(kafka);
        try {
            Testbed testbed = Testbed.builder().postgresShards(2).mariadbShards(1).start();
            running.add(testbed);
            testbed.shards().forEach(SampleSchema::applyTo);
            String three = Files.readString(ShopTopology.writeYaml(ShopTopology.of(testbed.shards()),
                    Scratch.newDirectory("secured-rebalance")));
            String initial = Planner.plan(three, new Planner.Request(null, List.of("pg2"), null, null)).document();
            Topology before = TopologyLoader.parse(initial, "initial", Map.of());
            KafkaConnection secured = kafka.connection();
            assertThat(secured.properties()).containsEntry("security.protocol", "SASL_SSL");
            assertThat(secured.toString()).as("what is printed of the connection")
                    .doesNotContain(secured.properties().get("sasl.jaas.config"))
                    .doesNotContain(secured.properties().get("ssl.truststore.password"));

            KafkaConnection wrong = kafka.connectionAs(EmbeddedKafkaCluster.USER, "not-the-password");
            assertThatThrownBy(() -> new WriterService(WriterOptions.defaults(before, "pg1", wrong)).start())
                    .as("a writer with a wrong password")
                    .hasMessageContaining("refused this process's credentials")
                    .hasMessageContaining("SCRAM-SHA-512")
                    .hasMessageNotContaining("not-the-password");

            TopologyService service = Steps.leadingService(initial, secured, "secured", running);
            ShardRouter router = ShardRouter.builder(before, secured).routerId("app").start();
            running.add(router);
            RouterWorkload workload = new RouterWorkload(router);
            workload.load(1, 200);
            running.add(new CaptureService(CaptureOptions.defaults(before, secured).withReplicationFactor(1)).start());
            running.add(new RebalancerService(RebalancerOptions.defaults(before, secured).withReplicationFactor(1)
                    .withStateDir(Scratch.newDirectory("secured-streams").toString())).start());
            for (DatabaseShard shard : testbed.shards()) {
                running.add(new WriterService(WriterOptions.defaults(before, shard.id(), secured)).start());
            }
            workload.start(2, 20, 1, 100);
            running.add(workload);

            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf("pg2")), null, null, null));
            service.perform(plan.id(), Action.START);
            await("copy done").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);
            Rebalance verified = service.verify(plan.id());
            assertThat(verified.verification().clean()).as(verified.verification().sample().toString()).isTrue();
            Rebalance cut = Steps.cutover(service, plan.id());
            assertThat(cut.state()).isEqualTo(RebalanceState.CUT_OVER);
            await("the router follows the cutover").atMost(Duration.ofSeconds(10)).until(() -> router.epoch() == 2);
            service.perform(plan.id(), Action.COMPLETE);
            await("complete").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.COMPLETED);
            workload.close();

            Topology after = TopologyLoader.parse(service.state().orElseThrow().current(), "after", Map.of());
            assertThat(after.epoch()).isEqualTo(2);
            VerifyReport everyShard = service.verifyKeyspace(true);
            assertThat(everyShard.clean()).as(everyShard.sample().toString()).isTrue();
            List<String> lost = LayoutCheck.problems(testbed.shards(), after, workload.expected().values());
            assertThat(lost).as("acknowledged writes missing or regressed, rows on non-owners").isEmpty();
            log.info("rebalance over SASL_SSL: {} writes acknowledged, {} rows compared by the last verify",
                    workload.acknowledged(), everyShard.rowsCompared());
            assertThat(workload.acknowledged()).isGreaterThan(100);
        } finally {
            Steps.closeAll(running);
        }
    }

}
