package dev.shardflow.kafka;

import dev.shardflow.core.contract.CaptureReport;
import dev.shardflow.core.topology.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The newest {@link CaptureReport} of each shard, read from {@code <prefix>.capture.status} — what
 * {@code shardctl capture status}, the topology service's API and its dashboard show.
 */
public final class CaptureStatus {

    private CaptureStatus() {}

    /**
     * Each shard's newest report, by shard id; empty when no capture has reported yet.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException when Kafka does not answer within {@code timeout}
     */
    public static Map<String, CaptureReport> read(KafkaConnection kafka, TopicNames names, Duration timeout) {
        Properties p = TopicCatchUp.reader(kafka);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString((int) timeout.toMillis()));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "shardflow-capture-status-reader");
        Map<String, CaptureReport> reports = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            if (!consumer.listTopics(timeout).containsKey(names.captureStatus())) {
                return reports;
            }
            List<TopicPartition> partitions = TopicCatchUp.partitions(consumer, List.of(names.captureStatus()));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            TopicCatchUp.readToEnd(consumer, partitions, record -> {
                if (record.key() == null) {
                    return;
                }
                String shard = new String(record.key(), StandardCharsets.UTF_8);
                if (record.value() == null) {
                    reports.remove(shard);
                } else {
                    try {
                        reports.put(shard, CaptureReport.fromBytes(record.value()));
                    } catch (IllegalArgumentException e) {
                        // a report this version cannot read is left out; the next one replaces it
                    }
                }
            });
        }
        return reports;
    }
}
