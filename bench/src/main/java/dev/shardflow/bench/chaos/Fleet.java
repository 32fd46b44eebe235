package dev.shardflow.bench.chaos;

import dev.shardflow.cli.Shardctl;
import dev.shardflow.testkit.process.FreePorts;
import dev.shardflow.testkit.process.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * shardflow as separate OS processes, each {@code shardctl serve} from its own settings file, as a host without
 * containers runs it: capture of every source, a rebalancer, a writer per shard and two topology services. A
 * supervisor starts a process that died again after a moment, as systemd or an orchestrator would; a fault can hold
 * a process down or pause it with SIGSTOP.
 */
final class Fleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fleet.class);
    /** How long the supervisor waits before it starts a dead process again. */
    static final Duration RESTART_DELAY = Duration.ofSeconds(2);
    /** The session timeout of every Kafka consumer group member and of the topology services' election. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long verify waits for its watermark to cross the pipeline: three times the default, for a fleet, three
     * brokers and four databases sharing two cores while faults strike.
     */
    static final Duration WATERMARK_TIMEOUT = Duration.ofMinutes(3);

    private final Map<String, ServerProcess> processes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Partition partition;
    private final String partitioned;
    private final Set<String> heldDown = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> restarts = new ConcurrentHashMap<>();
    private final Thread supervisor;
    private final String token;
    private volatile boolean closing;

    /**
     * Writes the settings of every process into {@code directory} next to {@code topologyFile} and starts them.
     *
     * @param viewShard the shard whose writer also applies {@code order_user_view}
     * @param partition the network namespace {@code partitioned} runs in, or null
     * @param partitioned the process that runs in it, or null
     */
    Fleet(Path directory, Path topologyFile, String bootstrap, List<String> shards, String viewShard, String topicPrefix,
            Partition partition, String partitioned) throws IOException {
        this.partition = partition;
        this.partitioned = partitioned;
        this.token = "chaos-" + Long.toHexString(System.nanoTime());
        Files.writeString(directory.resolve("api.token"), token + "\n");
        String kafka = "kafka: {bootstrapServers: \"" + bootstrap + "\"";
        String replicated = kafka + ", replicationFactor: 3";
        String topology = "topology: " + topologyFile + "\n";
        String inFlight = System.getProperty("chaos.rebalancer.maxInFlight");
        String sessions = ", properties: {session.timeout.ms: \"" + SESSION_TIMEOUT.toMillis() + "\""
                + (inFlight == null ? "" : ", max.in.flight.requests.per.connection: \"" + inFlight + "\"") + "}";
        add(directory, "capture", "capture", topology + "shards: all\n" + replicated + ", topicPartitions: 6}\n");
        add(directory, "rebalancer", "rebalancer", topology + replicated + sessions + "}\nstreams: {stateDir: \""
                + directory.resolve("streams") + "\"}\n");
        for (String shard : shards) {
            String topics = shard.equals(viewShard) ? ", topics: \"apply," + topicPrefix + ".view.order_user_view\""
                    : "";
            add(directory, "writer-" + shard, "writer", topology + "shard: " + shard + "\n" + kafka
                    + ", sessionTimeoutMs: " + SESSION_TIMEOUT.toMillis() + topics + "}\n");
        }
        for (int i = 1; i <= 2; i++) {
            int api = FreePorts.next();
            ports.put("topology-" + i, api);
            add(directory, "topology-" + i, "topology-service", topology + replicated + "}\ninstanceId: topology-" + i
                    + "\nleader: {sessionTimeoutMs: " + SESSION_TIMEOUT.toMillis() + "}\nverify: {watermarkTimeoutMs: "
                    + WATERMARK_TIMEOUT.toMillis() + "}\napi: {port: " + api + listenAll("topology-" + i)
                    + ", tokenFile: \"" + directory.resolve("api.token") + "\"}\n");
        }
        processes.values().forEach(ServerProcess::start);
        supervisor = new Thread(this::supervise, "chaos-supervisor");
        supervisor.setDaemon(true);
        supervisor.start();
        // a harness stopped by a signal: start nothing again while the testkit's own hook kills what runs
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closing = true, "chaos-supervisor-stop"));
    }

    private void add(Path directory, String name, String component, String settings) throws IOException {
        Path own = Files.createDirectories(directory.resolve(name));
        int http = FreePorts.next();
        if (!component.equals("topology-service")) {
            settings += "http: {port: " + http + listenAll(name) + "}\n";
            ports.put(name, http);
        }
        Path file = Files.writeString(own.resolve(component + ".yaml"), settings);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), Shardctl.class.getName(), "serve", component,
                file.toString()));
        processes.put(name, new ServerProcess(name, name.equals(partitioned) ? partition.command(command) : command, own,
                Map.of()));
    }

    /** For the partitioned process: its HTTP endpoint on every address of its namespace, for the harness to reach. */
    private String listenAll(String name) {
        return name.equals(partitioned) ? ", host: \"0.0.0.0\"" : "";
    }

    /** Where the harness reaches {@code name}'s HTTP endpoint: through the veth pair if it is partitioned. */
    private String host(String name) {
        return name.equals(partitioned) ? Partition.NAMESPACE_ADDRESS : "127.0.0.1";
    }

    /** The names of the processes: {@code capture}, {@code rebalancer}, {@code writer-<shard>}, {@code topology-1|2}. */
    List<String> names() {
        return List.copyOf(processes.keySet());
    }

    /** The API base of topology service {@code i} (1 or 2). */
    URI api(int i) {
        return URI.create("http://" + host("topology-" + i) + ":" + ports.get("topology-" + i) + "/");
    }

    String token() {
        return token;
    }

    /** Waits until a topology service answers with the topology in force (its leader published it). */
    void awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            for (int i = 1; i <= 2; i++) {
                try {
                    HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(api(i).resolve("api/topology"))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() == 200) {
                        log.info("chaos: topology-{} answers with the topology in force", i);
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no topology service led within " + timeout.toSeconds() + " s; end of "
                + "topology-1's log:\n" + logTail("topology-1", 20));
    }

    /** Whether every process answers {@code /health/live}. */
    boolean live() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create("http://"
                        + host(port.getKey()) + ":" + port.getValue() + "/health/live")).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() != 200) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** SIGKILL to {@code name}; the supervisor starts it again after {@link #RESTART_DELAY}. */
    void kill(String name) {
        process(name).kill();
        log.info("chaos: {} killed (SIGKILL)", name);
    }

    /** SIGSTOP to {@code name}; {@link #resume} sends SIGCONT. The supervisor leaves a paused process alone. */
    void pause(String name) {
        heldDown.add(name);
        process(name).signal("STOP");
        log.info("chaos: {} paused (SIGSTOP)", name);
    }

    void resume(String name) {
        process(name).signal("CONT");
        heldDown.remove(name);
        log.info("chaos: {} resumed (SIGCONT)", name);
    }

    /** The OS process id of {@code name} as it runs now, or -1 when it does not run. */
    long pid(String name) {
        ServerProcess process = process(name);
        return process.isAlive() ? process.pid() : -1;
    }

    /** Where {@code name} serves its meters as Prometheus text. */
    URI metrics(String name) {
        process(name);
        return URI.create("http://" + host(name) + ":" + ports.get(name) + "/metrics");
    }

    /** How often the supervisor started each process again. */
    Map<String, Integer> restarts() {
        return Map.copyOf(restarts);
    }

    /** The end of {@code name}'s log. */
    String logTail(String name, int lines) {
        return process(name).logTail(lines);
    }

    /** Copies every process's log into {@code directory}, as {@code <name>.log}; returns the directory. */
    Path copyLogs(Path directory) throws IOException {
        Files.createDirectories(directory);
        for (Map.Entry<String, ServerProcess> entry : processes.entrySet()) {
            Files.copy(entry.getValue().logFile(), directory.resolve(entry.getKey() + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return directory;
    }

    private ServerProcess process(String name) {
        ServerProcess process = processes.get(name);
        if (process == null) {
            throw new IllegalArgumentException("no process " + name + " in the fleet; one of " + processes.keySet());
        }
        return process;
    }

    private void supervise() {
        Map<String, Long> deadSince = new LinkedHashMap<>();
        while (!closing) {
            for (Map.Entry<String, ServerProcess> entry : processes.entrySet()) {
                String name = entry.getKey();
                if (entry.getValue().isAlive() || heldDown.contains(name)) {
                    deadSince.remove(name);
                    continue;
                }
                long since = deadSince.computeIfAbsent(name, n -> System.nanoTime());
                if (System.nanoTime() - since >= RESTART_DELAY.toNanos() && !closing) {
                    log.info("chaos: {} is not running; starting it again. End of its log:\n{}", name,
                            entry.getValue().logTail(5));
                    entry.getValue().start();
                    restarts.merge(name, 1, Integer::sum);
                    deadSince.remove(name);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        supervisor.interrupt();
        try {
            supervisor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String name : heldDown) {
            processes.get(name).signal("CONT");
        }
        List<String> names = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(names);
        names.parallelStream().forEach(name -> processes.get(name).stop("TERM", Duration.ofSeconds(30)));
    }
}
