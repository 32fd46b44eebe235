package dev.shardflow.testkit.kafka;

import dev.shardflow.testkit.process.FreePorts;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.process.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster of separate OS processes, as production runs one: a KRaft controller of its own and
 * {@code brokers} brokers, each a JVM running Kafka's own {@code kafka.Kafka} from this JVM's class path, with its
 * log directory under a scratch directory. A broker can be killed with SIGKILL, paused with SIGSTOP and started
 * again on the same log directory; the controller is never a target, so the cluster elects new leaders while a
 * broker is gone. Internal topics are replicated three ways with a minimum of two in sync (with three brokers or
 * more), so losing one broker loses nothing acknowledged.
 */
public final class ProcessKafkaCluster implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(ProcessKafkaCluster.class);
    private static final Duration READY = Duration.ofSeconds(120);

    private final Path base;
    private final ServerProcess controller;
    private final List<ServerProcess> brokers;
    private final List<Integer> ports;
    private final String host;

    private ProcessKafkaCluster(Path base, ServerProcess controller, List<ServerProcess> brokers, List<Integer> ports,
            String host) {
        this.base = base;
        this.host = host;
        this.controller = controller;
        this.brokers = brokers;
        this.ports = ports;
    }

    /** Formats and starts a controller and {@code brokerCount} brokers, and returns once every broker is known. */
    public static ProcessKafkaCluster start(int brokerCount, Map<String, String> brokerConfig) {
        return start(brokerCount, brokerConfig, "localhost");
    }

    /**
     * As {@link #start(int, Map)}, with the brokers listening on, and advertising, {@code host}: a local address
     * other than the loopback, for clients in another network namespace.
     */
    public static ProcessKafkaCluster start(int brokerCount, Map<String, String> brokerConfig, String host) {
        if (brokerCount < 1) {
            throw new IllegalArgumentException("brokers must be at least 1, was " + brokerCount);
        }
        long started = System.nanoTime();
        Path base = Scratch.newDirectory("kafka-processes");
        String clusterId = Uuid.randomUuid().toString();
        int controllerPort = FreePorts.next();
        String voters = "0@localhost:" + controllerPort;
        String replication = Integer.toString(Math.min(3, brokerCount));
        String minIsr = Integer.toString(Math.min(2, brokerCount));
        List<ServerProcess> brokers = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        ServerProcess controller = null;
        Map<String, Process> formatting = new java.util.LinkedHashMap<>();
        try {
            Path logging = Files.writeString(base.resolve("logback.xml"), LOGGING);
            Properties controllerProps = common(voters, base.resolve("node-0"), 0);
            controllerProps.put("process.roles", "controller");
            controllerProps.put("listeners", "CONTROLLER://localhost:" + controllerPort);
            controller = node("kafka controller", base.resolve("node-0"), controllerProps, clusterId, logging, formatting);
            for (int i = 1; i <= brokerCount; i++) {
                int port = FreePorts.next();
                Path directory = base.resolve("node-" + i);
                Properties props = common(voters, directory, i);
                props.put("process.roles", "broker");
                props.put("listeners", "PLAINTEXT://" + host + ":" + port);
                props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
                props.put("inter.broker.listener.name", "PLAINTEXT");
                props.put("offsets.topic.replication.factor", replication);
                props.put("offsets.topic.num.partitions", "10");
                props.put("transaction.state.log.replication.factor", replication);
                props.put("transaction.state.log.min.isr", minIsr);
                props.put("transaction.state.log.num.partitions", "10");
                props.put("share.coordinator.state.topic.replication.factor", replication);
                props.put("share.coordinator.state.topic.min.isr", minIsr);
                props.put("group.initial.rebalance.delay.ms", "0");
                props.put("default.replication.factor", replication);
                props.put("min.insync.replicas", minIsr);
                props.put("unclean.leader.election.enable", "false");
                // few threads: several brokers share a small machine with the system they serve
                props.put("num.network.threads", "2");
                props.put("num.io.threads", "2");
                props.put("background.threads", "2");
                props.putAll(brokerConfig);
                brokers.add(node("kafka broker " + i, directory, props, clusterId, logging, formatting));
                ports.add(port);
            }
            awaitFormatted(formatting, base);
            controller.start();
            brokers.forEach(ServerProcess::start);
            ProcessKafkaCluster cluster = new ProcessKafkaCluster(base, controller, brokers, ports, host);
            cluster.awaitBrokers(brokerCount);
            log.info("Kafka cluster of a controller and {} broker processes ready at {} in {} ms", brokerCount,
                    cluster.bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
            return cluster;
        } catch (IOException | RuntimeException e) {
            formatting.values().forEach(Process::destroyForcibly);
            brokers.forEach(ServerProcess::kill);
            if (controller != null) {
                controller.kill();
            }
            throw new IllegalStateException("cannot start a Kafka cluster of " + brokerCount + " broker processes: "
                    + e.getMessage(), e);
        }
    }

    private static Properties common(String voters, Path directory, int nodeId) {
        Properties props = new Properties();
        props.put("node.id", Integer.toString(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", directory.resolve("data").toString());
        return props;
    }

    /**
     * Writes the node's properties and starts formatting its log directory (in {@code formatting}, to wait for with
     * {@link #awaitFormatted}); returns its process, not yet started.
     */
    private static ServerProcess node(String name, Path directory, Properties props, String clusterId, Path logging,
            Map<String, Process> formatting) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file)) {
            props.store(out, name);
        }
        List<String> format = java(logging, "kafka.tools.StorageTool", "format", "--cluster-id", clusterId,
                "--config", file.toString(), "--ignore-formatted", "--feature", "transaction.version="
                + System.getProperty("shardflow.kafka.transactionVersion", "2"));
        formatting.put(name, new ProcessBuilder(format).redirectErrorStream(true)
                .redirectOutput(directory.resolve("format.log").toFile()).start());
        return new ServerProcess(name, java(logging, "kafka.Kafka", file.toString()), directory, Map.of());
    }

    private static void awaitFormatted(Map<String, Process> formatting, Path base) throws IOException {
        for (Map.Entry<String, Process> entry : formatting.entrySet()) {
            Process process = entry.getValue();
            try {
                if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new IllegalStateException("formatting " + entry.getKey() + " failed; see the format.log "
                            + "files under " + base);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while formatting " + entry.getKey(), e);
            }
        }
    }

    private static List<String> java(Path logging, String main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + logging,
                "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return command;
    }

    /** Waits until the cluster counts {@code count} brokers; fails at once, with its log, if a process exits. */
    private void awaitBrokers(int count) {
        try (Admin admin = admin()) {
            for (ServerProcess process : allProcesses()) {
                process.awaitReady(READY, () -> {
                    try {
                        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == count;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }

    private List<ServerProcess> allProcesses() {
        List<ServerProcess> all = new ArrayList<>(brokers);
        all.add(controller);
        return all;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                "10000"));
    }

    @Override
    public String bootstrapServers() {
        StringJoiner joined = new StringJoiner(",");
        ports.forEach(port -> joined.add(host + ":" + port));
        return joined.toString();
    }

    @Override
    public int brokerCount() {
        return brokers.size();
    }

    /** The directory of the cluster's processes: {@code node-0} the controller, {@code node-N} broker N. */
    public Path directory() {
        return base;
    }

    /** Broker {@code index} (from 1), to kill, pause or restart. */
    public ServerProcess broker(int index) {
        return brokers.get(index - 1);
    }

    /** SIGKILL to broker {@code index} (from 1); {@link #restart} brings it back on the same log directory. */
    public void kill(int index) {
        broker(index).kill();
        log.info("kafka broker {} killed (SIGKILL)", index);
    }

    /** Starts broker {@code index} again and returns once the cluster counts it among its brokers. */
    public void restart(int index) {
        ServerProcess broker = broker(index);
        broker.start();
        try (Admin admin = admin()) {
            broker.awaitReady(READY, () -> {
                try {
                    return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                            .anyMatch(node -> node.id() == index);
                } catch (Exception e) {
                    return false;
                }
            });
        }
        log.info("kafka broker {} restarted", index);
    }

    @Override
    public void close() {
        brokers.forEach(broker -> broker.stop("TERM", Duration.ofSeconds(20)));
        controller.stop("TERM", Duration.ofSeconds(20));
        Scratch.delete(base);
        log.info("Kafka cluster of {} broker processes closed", brokers.size());
    }

    @Override
    public String toString() {
        return "Kafka cluster of a controller and " + brokers.size() + " broker processes at " + bootstrapServers();
    }

    private static final String LOGGING = """
            <configuration>
              <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
              </appender>
              <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
              <logger name="kafka.server.BrokerServer" level="INFO"/>
              <logger name="kafka.server.ControllerServer" level="INFO"/>
              <root level="WARN"><appender-ref ref="out"/></root>
            </configuration>
            """;
}
