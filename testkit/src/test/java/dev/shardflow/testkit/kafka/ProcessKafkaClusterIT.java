package dev.shardflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three brokers and a controller as OS processes: a broker killed with SIGKILL while a producer writes loses no
 * acknowledged record; restarted, it rejoins the cluster. (The contract of every cluster is checked on the in-JVM
 * one; this cluster runs the same Kafka.)
 */
class ProcessKafkaClusterIT {
    private static ProcessKafkaCluster cluster;

    @BeforeAll
    static void startBrokers() {
        cluster = ProcessKafkaCluster.start(3, Map.of());
    }

    @AfterAll
    static void stopBrokers() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KafkaClusterContract contract() {
        return new KafkaClusterContract() {
            @Override
            KafkaCluster cluster() {
                return cluster;
            }
        };
    }

    @Test
    void aBrokerKilledWhileAProducerWritesLosesNoAcknowledgedRecordAndRejoinsWhenRestarted() throws Exception {
        cluster.createTopic("survives", 3, 3, Map.of("min.insync.replicas", "2"));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        int records = 3_000;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(contract().producerProperties())) {
            for (int i = 0; i < records; i++) {
                if (i == records / 3) {
                    producer.flush();
                    assertThat(cluster.broker(2).isAlive()).isTrue();
                    cluster.kill(2);
                    assertThat(cluster.broker(2).isAlive()).isFalse();
                }
                sends.add(producer.send(new ProducerRecord<>("survives", "k" + i, "v" + i)));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> send : sends) {
            assertThat(send.get().hasOffset()).isTrue();
        }
        cluster.restart(2);

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(contract().consumerProperties("survives"))) {
            consumer.subscribe(List.of("survives"));
            Awaitility.await("all " + records + " acknowledged records read back").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                        return received.size() >= records;
                    });
        }
        assertThat(received).extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(records)
                .contains("v0", "v" + (records - 1));
        assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
    }
}
