package dev.shardflow.testkit;

import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.kafka.KafkaCluster;
import dev.shardflow.testkit.kafka.KafkaClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster and a set of PostgreSQL and MariaDB shards, started together in parallel and closed together.
 * Shards are named {@code pg1, pg2, ...} and {@code maria1, maria2, ...}.
 */
public final class Testbed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Testbed.class);

    private final KafkaCluster kafka;
    private final List<PostgresShard> postgres;
    private final List<MariaDbShard> mariadb;
    private final Duration startupTime;

    private Testbed(KafkaCluster kafka, List<PostgresShard> postgres, List<MariaDbShard> mariadb,
            Duration startupTime) {
        this.kafka = kafka;
        this.postgres = List.copyOf(postgres);
        this.mariadb = List.copyOf(mariadb);
        this.startupTime = startupTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How many of each component; none by default. */
    public static final class Builder {
        private int kafkaBrokers;
        private int postgresShards;
        private int mariadbShards;
        private String host;

        public Builder kafkaBrokers(int count) {
            this.kafkaBrokers = count;
            return this;
        }

        public Builder postgresShards(int count) {
            this.postgresShards = count;
            return this;
        }

        public Builder mariadbShards(int count) {
            this.mariadbShards = count;
            return this;
        }

        /**
         * The shards are reached at {@code address}, a local address other than the loopback that they listen on too:
         * for clients in another network namespace. Kafka, if any, stays on the loopback.
         */
        public Builder shardHost(String address) {
            this.host = address;
            return this;
        }

        /** Starts every component at once; if any fails, the others are closed and the first failure thrown. */
        public Testbed start() {
            long started = System.nanoTime();
            List<AutoCloseable> ready = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(
                    Math.max(1, (kafkaBrokers > 0 ? 1 : 0) + postgresShards + mariadbShards));
            try {
                Future<KafkaCluster> kafka = kafkaBrokers > 0 ? pool.submit(() -> KafkaClusters.start(kafkaBrokers))
                        : null;
                List<Future<PostgresShard>> pg = new ArrayList<>();
                for (int i = 1; i <= postgresShards; i++) {
                    String id = "pg" + i;
                    pg.add(pool.submit(() -> host == null ? PostgresShard.start(id)
                            : PostgresShard.builder(id).host(host).start()));
                }
                List<Future<MariaDbShard>> maria = new ArrayList<>();
                for (int i = 1; i <= mariadbShards; i++) {
                    String id = "maria" + i;
                    maria.add(pool.submit(() -> host == null ? MariaDbShard.start(id)
                            : MariaDbShard.builder(id).host(host).start()));
                }
                List<Throwable> failures = new ArrayList<>();
                KafkaCluster cluster = kafka == null ? null : collect(kafka, ready, failures);
                List<PostgresShard> pgShards = new ArrayList<>();
                pg.forEach(f -> pgShards.add(collect(f, ready, failures)));
                List<MariaDbShard> mariaShards = new ArrayList<>();
                maria.forEach(f -> mariaShards.add(collect(f, ready, failures)));
                if (!failures.isEmpty()) {
                    closeAll(ready);
                    IllegalStateException error = new IllegalStateException("testbed did not start: "
                            + failures.get(0).getMessage(), failures.get(0));
                    failures.stream().skip(1).forEach(error::addSuppressed);
                    throw error;
                }
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                log.info("testbed of {} Kafka broker(s), {} PostgreSQL and {} MariaDB shard(s) up in {} ms",
                        kafkaBrokers, postgresShards, mariadbShards, took.toMillis());
                return new Testbed(cluster, pgShards, mariaShards, took);
            } finally {
                pool.shutdown();
            }
        }

        private static <T extends AutoCloseable> T collect(Future<T> future, List<AutoCloseable> ready,
                List<Throwable> failures) {
            try {
                T component = future.get();
                ready.add(component);
                return component;
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(e);
            }
            return null;
        }
    }

    public KafkaCluster kafka() {
        if (kafka == null) {
            throw new IllegalStateException("this testbed has no Kafka cluster; ask for kafkaBrokers(n)");
        }
        return kafka;
    }

    public List<PostgresShard> postgres() {
        return postgres;
    }

    public List<MariaDbShard> mariadb() {
        return mariadb;
    }

    /** Every shard, PostgreSQL first. */
    public List<DatabaseShard> shards() {
        List<DatabaseShard> all = new ArrayList<>(postgres);
        all.addAll(mariadb);
        return all;
    }

    /** How long {@link Builder#start()} took, from the call to the last component ready. */
    public Duration startupTime() {
        return startupTime;
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(shards());
        if (kafka != null) {
            all.add(kafka);
        }
        closeAll(all);
    }

    private static void closeAll(List<AutoCloseable> components) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, components.size()));
        List<Future<?>> closing = new ArrayList<>();
        for (AutoCloseable component : components) {
            closing.add(pool.submit((Callable<Void>) () -> {
                component.close();
                return null;
            }));
        }
        for (Future<?> future : closing) {
            try {
                future.get();
            } catch (ExecutionException e) {
                log.warn("error while closing a testbed component: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdown();
    }
}
