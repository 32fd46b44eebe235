package dev.shardflow.bench.chaos;

import dev.shardflow.bench.chaos.ChaosPlan.Fault;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.kafka.ProcessKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The faults of a run, each on a thread of its own, and how to undo what is still in force. */
final class Faults {
    private static final Logger log = LoggerFactory.getLogger(Faults.class);

    private final Fleet fleet;
    private final ProcessKafkaCluster kafka;
    private final Map<String, DatabaseShard> shards;
    private final Partition partition;
    private volatile boolean cut;
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> paused = new ArrayList<>();
    private final Map<String, Object> targets = new java.util.concurrent.ConcurrentHashMap<>();

    Faults(Fleet fleet, ProcessKafkaCluster kafka, Map<String, DatabaseShard> shards, Partition partition) {
        this.fleet = fleet;
        this.partition = partition;
        this.kafka = kafka;
        this.shards = shards;
    }

    synchronized void strike(Fault fault) {
        Thread thread = new Thread(() -> {
            try {
                synchronized (targets.computeIfAbsent(fault.target(), t -> new Object())) {
                    apply(fault); // faults on one target take turns: a database is not stopped twice at once
                }
            } catch (RuntimeException e) {
                log.error("chaos: fault {} failed", fault, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "chaos-fault-" + fault.kind());
        threads.add(thread);
        thread.start();
    }

    private void apply(Fault fault) throws InterruptedException {
        log.info("chaos: {}", fault);
        switch (fault.kind()) {
            case KILL_PROCESS -> fleet.kill(fault.target());
            case KILL_DATABASE -> {
                DatabaseShard shard = shards.get(fault.target());
                shard.kill();
                Thread.sleep(2_000);
                shard.restart();
            }
            case KILL_BROKER -> {
                int broker = Integer.parseInt(fault.target().substring("broker-".length()));
                kafka.kill(broker);
                Thread.sleep(10_000);
                kafka.restart(broker);
            }
            case PAUSE_PROCESS -> {
                synchronized (this) {
                    paused.add(fault.target());
                }
                fleet.pause(fault.target());
                Thread.sleep(Fleet.SESSION_TIMEOUT.toMillis() + 5_000);
                fleet.resume(fault.target());
                synchronized (this) {
                    paused.remove(fault.target());
                }
            }
            case STOP_TARGET_DATABASE -> {
                DatabaseShard shard = shards.get(fault.target());
                shard.stop();
                Thread.sleep(30_000);
                shard.restart();
            }
            case PARTITION -> {
                cut = true;
                partition.cut();
                Thread.sleep(Fleet.SESSION_TIMEOUT.toMillis() + 10_000);
                partition.heal();
                cut = false;
            }
        }
        log.info("chaos: {} over", fault);
    }

    void awaitAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : List.copyOf(threads)) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    /** Resumes paused processes and starts stopped databases, so that closing finds everything running. */
    synchronized void healAll() {
        paused.forEach(fleet::resume);
        if (cut) {
            partition.heal();
        }
        shards.values().stream().filter(shard -> !shard.isRunning()).forEach(shard -> {
            try {
                shard.restart();
            } catch (RuntimeException e) {
                log.warn("cannot restart {}: {}", shard.id(), e.toString());
            }
        });
    }
}
