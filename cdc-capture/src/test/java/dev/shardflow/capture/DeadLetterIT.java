package dev.shardflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.capture.debezium.RecordConverter;
import dev.shardflow.capture.kafka.ChangePublisher;
import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** A record capture cannot convert goes to the dead-letter topic with its reason and source coordinates. */
class DeadLetterIT {

    @Test
    void anUnconvertibleRecordLandsInTheDlqWithReasonAndSource() {
        Topology topology = new Topology("shop", 0, "sf.shop", ShopTopology.TABLES, List.of(),
                HashRing.builder().shard("s1").build());
        Schema source = SchemaBuilder.struct().field("table", Schema.STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
                .field("lsn", Schema.INT64_SCHEMA).build();
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("source", source)
                .field("before", SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).optional().build())
                .field("after", row).build();
        Struct value = new Struct(envelope).put("op", "c")
                .put("source", new Struct(source).put("table", "not_in_topology").put("ts_ms", 1L).put("lsn", 42L))
                .put("after", new Struct(row).put("id", 7L));
        SourceRecord record = new SourceRecord(Map.of("server", "s1"), Map.of("lsn", 42L), "debezium.topic", null,
                value.schema(), value);

        Exception failure = null;
        try {
            new RecordConverter(topology, "s1").convert(record);
        } catch (RuntimeException e) {
            failure = e;
        }
        assertThat(failure).isNotNull().hasMessageContaining("not_in_topology");

        try (KafkaCluster kafka = KafkaClusters.start();
                ChangePublisher publisher = new ChangePublisher(kafka.connection(), topology, "dlq-test")) {
            kafka.createTopic("sf.shop.dlq", 1, 1, Map.of());
            publisher.sendDeadLetter("s1", record, failure);
            publisher.flush();

            Properties p = kafka.clientProperties();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of("sf.shop.dlq"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(letters::add);
                    return !letters.isEmpty();
                });
            }
            ConsumerRecord<byte[], byte[]> letter = letters.get(0);
            assertThat(header(letter, "reason")).contains("not_in_topology");
            assertThat(header(letter, "exception")).isEqualTo(IllegalStateException.class.getName());
            assertThat(header(letter, "source.shard")).isEqualTo("s1");
            assertThat(header(letter, "source.offset")).contains("42");
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("not_in_topology").contains("id=7");
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
