package dev.shardflow.rebalancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The lag throttle's reading of lag on a real broker: a target writer's lag behind its apply topic (end offsets
 * less the writers' group's committed ones) and a source's capture lag (its capture's last report), each against
 * its bound, named in the reason.
 */
class LagCheckIT {

    @Test
    void aWriterOrACaptureBehindItsBoundHoldsTheMoveAndNamesItsShard() throws Exception {
        try (KafkaCluster kafka = KafkaClusters.start(); DatabaseShard pg = PostgresShard.start("pg1")) {
            Topology topology = ShopTopology.of(List.of(pg));
            TopicNames names = TopicNames.of(topology);
            String apply = names.apply("pg1");
            kafka.createTopic(apply, 2, 1, Map.of());
            kafka.createTopic(names.captureStatus(), 1, 1, Map.of("cleanup.policy", "compact"));
            RebalancerOptions options = RebalancerOptions.defaults(topology, kafka.connection())
                    .withLagBounds(new RebalancerOptions.LagBounds(60_000, 50));
            try (Admin admin = kafka.connection().admin(Map.of());
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.connection().client(Map.of(
                            "key.serializer", ByteArraySerializer.class.getName(),
                            "value.serializer", ByteArraySerializer.class.getName())))) {
                LagCheck check = new LagCheck(options, admin);
                assertThat(check.holdReason()).as("nothing behind").isNull();

                for (int i = 0; i < 80; i++) {
                    producer.send(new ProducerRecord<>(apply, ("k" + i).getBytes(StandardCharsets.UTF_8),
                            new byte[10]));
                }
                producer.flush();
                assertThat(check.holdReason()).as("80 change records no writer applied")
                        .contains("the writers of pg1 are 80 change records behind", "throttle.maxApplyLagRecords (50)");

                commitEnds(kafka, apply, ConsumerGroups.writer(topology.keyspace(), "pg1"));
                assertThat(check.holdReason()).as("the writers caught up").isNull();

                long now = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(names.captureStatus(), "pg1".getBytes(StandardCharsets.UTF_8),
                        new CaptureReport("pg1", "postgresql", "RUNNING", 10, 90_000L, null, 0, 0, "", 1L << 30, now,
                                5_000).toBytes())).get();
                assertThat(check.holdReason()).as("a capture 90 s behind")
                        .contains("the capture of pg1 is 90000 ms behind", "throttle.maxCaptureLagMs (60000)");
            }
        }
    }

    /** Commits the end of every partition of {@code topic} for {@code group}, as writers that applied all of it. */
    private static void commitEnds(KafkaCluster kafka, String topic, String group) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.connection().client(Map.of(
                "group.id", group, "key.deserializer", ByteArrayDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName())))) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            consumer.commitSync(Map.of(partitions.get(0), new OffsetAndMetadata(ends.get(partitions.get(0))),
                    partitions.get(1), new OffsetAndMetadata(ends.get(partitions.get(1)))));
        }
    }
}
