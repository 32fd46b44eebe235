package dev.shardflow.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** What every kind of {@link KafkaCluster} must do, checked against a real broker. */
abstract class KafkaClusterContract {

    abstract KafkaCluster cluster();

    @Test
    void acceptsTenThousandRecordsWithAcksAllAndAConsumerGroupReadsThemAllBack() throws Exception {
        String topic = "contract-" + System.nanoTime();
        cluster().createTopic(topic, 3);
        int records = 10_000;

        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties())) {
            for (int i = 0; i < records; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> send : sends) {
            assertThat(send.get().hasOffset()).isTrue();
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("contract-group"))) {
            consumer.subscribe(List.of(topic));
            Awaitility.await("all " + records + " records consumed")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                        return received.size() >= records;
                    });
            consumer.commitSync();
        }
        assertThat(received).hasSize(records);
        assertThat(received).extracting(ConsumerRecord::value).doesNotHaveDuplicates()
                .contains("value-0", "value-" + (records - 1));
    }

    Properties producerProperties() {
        Properties properties = cluster().clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return properties;
    }

    Properties consumerProperties(String group) {
        Properties properties = cluster().clientProperties();
        properties.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        return properties;
    }
}
