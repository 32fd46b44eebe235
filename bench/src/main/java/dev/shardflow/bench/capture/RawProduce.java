package dev.shardflow.bench.capture;

import dev.shardflow.testkit.kafka.KafkaCluster;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The raw produce rate of the broker a benchmark runs against: the ceiling for anything that writes to it. */
final class RawProduce {

    private RawProduce() {}

    static double recordsPerSecond(KafkaCluster kafka, int records, int valueBytes) {
        kafka.createTopic("bench.raw-produce", 6, 1, Map.of());
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
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
