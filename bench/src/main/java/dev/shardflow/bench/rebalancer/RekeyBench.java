package dev.shardflow.bench.rebalancer;

import dev.shardflow.bench.Headlines;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.contract.ConsumerGroups;
import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.event.SourceRowKey;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.testkit.kafka.TopicEnds;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.rebalancer.RebalancerOptions;
import dev.shardflow.rebalancer.RebalancerService;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import dev.shardflow.testkit.process.Scratch;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Change events/s through the re-key topology during a 3 → 4 shard rebalance (about a quarter of the keys move),
 * with exactly-once processing and with at-least-once, next to a plain consumer reading the same topic in the same
 * run: the most any Kafka application on this machine could process. Each move starts once the rebalancer's views
 * have read the change topic, as on a running system, so that the figure is the move's and not the views' first read.
 */
public final class RekeyBench {
    private static final List<String> THREE = List.of("s0", "s1", "s2");
    private static final List<String> FOUR = List.of("s0", "s1", "s2", "s3");
    private static final String USERS = "sf.shop.cdc.users";

    private RekeyBench() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        try (KafkaCluster kafka = KafkaClusters.start()) {
            String bootstrap = kafka.bootstrapServers();
            Topology before = TopologyLoader.parse(ShopTopology.routingDocument(1, THREE), "bench", Map.of());
            fill(kafka, before, events);
            double consume = plainConsume(bootstrap, events);
            double exactlyOnce = rekey(bootstrap, before, "exactly_once_v2", events);
            double atLeastOnce = rekey(bootstrap, before, "at_least_once", events);
            System.out.printf(Locale.ROOT, "%n%,d change events, 6 partitions, 3 -> 4 shards%n", events);
            System.out.printf(Locale.ROOT, "%-34s %,12.0f events/s%n", "plain consumer (baseline)", consume);
            System.out.printf(Locale.ROOT, "%-34s %,12.0f events/s %5.0f%% of baseline%n", "re-key, exactly_once_v2",
                    exactlyOnce, 100 * exactlyOnce / consume);
            System.out.printf(Locale.ROOT, "%-34s %,12.0f events/s %5.0f%% of baseline%n", "re-key, at_least_once",
                    atLeastOnce, 100 * atLeastOnce / consume);
            // rekey.ratio is the rebalancer's default guarantee, exactly-once
            Headlines.ratio("rekey.ratio", exactlyOnce / consume);
            Headlines.rate("rekey.events_per_s", exactlyOnce);
            Headlines.ratio("rekey.at_least_once.ratio", atLeastOnce / consume);
            Headlines.rate("rekey.at_least_once.events_per_s", atLeastOnce);
            Headlines.rate("rekey.baseline.events_per_s", consume);
        }
    }

    private static void fill(KafkaCluster kafka, Topology before, int events) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        for (String table : List.of("users", "orders", "order_items", "products")) {
            kafka.createTopic("sf.shop.cdc." + table, 6, 1, Map.of());
        }
        kafka.createTopic("sf.shop.topology", 1, 1,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(state(false));
            for (long i = 1; i <= events; i++) {
                long id = 1 + i % 200_000;
                Map<String, Object> row = ShopTopology.userRow(id, i);
                ChangeEvent change = new ChangeEvent("shop", "users", Op.UPDATE, Map.of("id", id), null, row, id,
                        new Source(before.strategy().ownerOf(id), new PostgresLsn(1_000 + i * 64), null, 0), 1);
                producer.send(new ProducerRecord<>("sf.shop.cdc.users", SourceRowKey.of(change).toBytes(),
                        EventJson.toBytes(change)), (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("filling the change topic failed", failure.get());
        }
    }

    /** The keyspace steady on three shards, or moving to four: what starts and stops the move. */
    private static ProducerRecord<byte[], byte[]> state(boolean moving) {
        TopologyState state = moving ? new TopologyState("shop", ShopTopology.routingDocument(1, THREE),
                ShopTopology.routingDocument(2, FOUR), TopologyState.Phase.FORWARD, "bench")
                : TopologyState.steady("shop", ShopTopology.routingDocument(1, THREE));
        return new ProducerRecord<>("sf.shop.topology", "shop".getBytes(), state.toBytes());
    }

    private static void publish(String bootstrap, boolean moving) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(state(moving)).get(30, TimeUnit.SECONDS);
        }
    }

    private static double plainConsume(String bootstrap, int events) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor("sf.shop.cdc.users").stream()
                    .map(i -> new TopicPartition("sf.shop.cdc.users", i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long started = System.nanoTime();
            long read = 0;
            while (read < events) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            return events / ((System.nanoTime() - started) / 1e9);
        }
    }

    private static double rekey(String bootstrap, Topology before, String guarantee, int events) throws Exception {
        RebalancerOptions options = RebalancerOptions.defaults(before, bootstrap).withReplicationFactor(1)
                .withProcessingGuarantee(guarantee).withStateDir(Scratch.newDirectory("rekey-" + guarantee).toString());
        options = new RebalancerOptions(options.topology(), options.kafka(), "bench-" + guarantee.replace('_', '-'),
                guarantee, options.applyPartitions(), 1, options.threads(), options.commitIntervalMs(),
                options.bulkCommitIntervalMs(), options.viewsCommitIntervalMs(), options.stateDir(),
                options.lagBounds());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                RebalancerService service = new RebalancerService(options).start()) {
            long end = TopicEnds.sum(admin, USERS);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            // a move starts on a running rebalancer whose views have read the change topics already, as in a
            // deployment; the views then only keep up with what comes during the move
            long viewsStarted = System.nanoTime();
            while (TopicEnds.committed(admin, ConsumerGroups.views(options.applicationId()), USERS) < end) {
                check(deadline);
                Thread.sleep(20);
            }
            System.out.printf(Locale.ROOT, "%s: the views read the %,d change events in %.1f s before the move%n",
                    guarantee, end, (System.nanoTime() - viewsStarted) / 1e9);
            publish(bootstrap, true);
            while (service.counts().get("forwarded") + service.counts().get("stays") == 0) {
                check(deadline);
                Thread.sleep(1);
            }
            long started = System.nanoTime();
            while (TopicEnds.committed(admin, ConsumerGroups.move(options.applicationId(), "bench"), USERS) < end) {
                check(deadline);
                Thread.sleep(20);
            }
            double rate = events / ((System.nanoTime() - started) / 1e9);
            publish(bootstrap, false); // the next run's views start on a steady keyspace again
            return rate;
        }
    }

    private static void check(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the rebalancer did not finish within 10 minutes");
        }
    }
}
