package dev.shardflow.bench.capture;

import dev.shardflow.capture.kafka.ChangePublisher;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.kafka.KafkaCluster;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The raw produce rate of the broker a benchmark runs against: the ceiling for anything that writes to it. */
final class RawProduce {

    private RawProduce() {}

    static double recordsPerSecond(KafkaCluster kafka, int records, int valueBytes) {
        kafka.createTopic("bench.raw-produce", 6, 1, Map.of());
        // The producer settings of capture itself, so the ceiling is the one capture writes against.
        Properties p = ChangePublisher.producerProperties(kafka.connection(), "bench-raw-produce",
                Topology.maxMessageBytes(Topology.DEFAULT_MAX_ROW_BYTES));
        SplittableRandom random = new SplittableRandom(1);
        byte[][] values = new byte[1024][];
        for (int i = 0; i < values.length; i++) {
            values[i] = new byte[valueBytes];
            for (int b = 0; b < valueBytes; b++) {
                values[i][b] = (byte) ('a' + random.nextInt(26)); // text-like, compressible as JSON is
            }
        }
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("bench.raw-produce", Integer.toString(i).getBytes(),
                        values[i & 1023]));
            }
            producer.flush();
        }
        return records / ((System.nanoTime() - started) / 1e9);
    }
}
