package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.process.Health;
import dev.shardflow.testkit.kafka.EmbeddedKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * An instance elected that cannot open the registry's writer — here the broker denies its transactional id, as a
 * missing ACL would — does not sit elected and idle: its health says it is retrying and why, and it takes the lead
 * as soon as the cause is gone.
 */
class LeadRetryIT {

    @Test
    void anElectedInstanceThatCannotOpenTheRegistryRetriesVisiblyAndLeadsOnceItCan() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1, Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found", "true"));
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            AclBinding deny = new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "shardflow-topology-shop",
                    PatternType.LITERAL), new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.ALL,
                    AclPermissionType.DENY));
            admin.createAcls(List.of(deny)).all().get(30, TimeUnit.SECONDS);
            String yaml = """
                    keyspace: shop
                    epoch: 1
                    shards:
                      - {id: s0, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/s0", user: u, password: {env: SHARD_PASSWORD}}
                      - {id: s1, engine: postgresql, jdbcUrl: "jdbc:postgresql://h/s1", user: u, password: {env: SHARD_PASSWORD}}
                    strategy: {type: hash}
                    tables:
                      - {name: users, primaryKey: [id], shardKey: id}
                    """;
            try (TopologyService service = new TopologyService(TopologyServiceOptions.defaults(yaml,
                    kafka.bootstrapServers()).withReplicationFactor(1).withInstanceId("retrying"),
                    new SimpleMeterRegistry()).start()) {
                await("the elected instance reports it cannot take the lead").atMost(Duration.ofSeconds(60))
                        .until(() -> service.leadership().state().equals("RETRYING"));
                Health.Loop retrying = service.leadership();
                assertThat(retrying.running()).isFalse();
                assertThat(retrying.detail()).contains("cannot take the lead").containsIgnoringCase("authoriz");
                assertThat(service.leading()).isFalse();

                admin.deleteAcls(List.of(deny.toFilter())).all().get(30, TimeUnit.SECONDS);
                await("the instance leads once its transactional id is allowed").atMost(Duration.ofSeconds(60))
                        .until(service::leading);
                assertThat(service.leadership()).isEqualTo(new Health.Loop("leadership", true, "LEADING", ""));
                assertThat(service.state()).hasValueSatisfying(s -> assertThat(s.currentTopology().epoch()).isEqualTo(1));
            }
        }
    }
}
