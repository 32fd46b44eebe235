package dev.shardflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaClusterIT extends KafkaClusterContract {
    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void startBroker() {
        cluster = EmbeddedKafkaCluster.start(1, Map.of());
    }

    @AfterAll
    static void stopBroker() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    KafkaCluster cluster() {
        return cluster;
    }

    @Test
    void listensOnALoopbackPortOfItsOwn() {
        assertThat(cluster.bootstrapServers()).matches("localhost:\\d+|127\\.0\\.0\\.1:\\d+");
        assertThat(cluster.brokerCount()).isEqualTo(1);
    }

    @Test
    void threeBrokerClusterReplicatesEveryPartitionToAllThree() throws Exception {
        try (EmbeddedKafkaCluster three = EmbeddedKafkaCluster.start(3, Map.of())) {
            three.createTopic("replicated", 4, 3, Map.of("min.insync.replicas", "2"));

            KafkaClusterContract contract = new KafkaClusterContract() {
                @Override
                KafkaCluster cluster() {
                    return three;
                }
            };
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(contract.producerProperties())) {
                for (int i = 0; i < 100; i++) {
                    assertThat(producer.send(new ProducerRecord<>("replicated", "k" + i, "v" + i)).get().hasOffset())
                            .isTrue();
                }
            }
            try (Admin admin = Admin.create(three.clientProperties())) {
                TopicDescription topic = admin.describeTopics(List.of("replicated")).allTopicNames().get()
                        .get("replicated");
                assertThat(topic.partitions()).hasSize(4);
                for (TopicPartitionInfo partition : topic.partitions()) {
                    assertThat(partition.replicas()).hasSize(3);
                    assertThat(partition.isr()).hasSize(3);
                }
                assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            }
        }
    }
}
