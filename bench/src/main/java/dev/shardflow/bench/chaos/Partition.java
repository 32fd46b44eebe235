package dev.shardflow.bench.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network namespace joined to this host by a veth pair, so that one process of the fleet can be cut off: the host
 * end is {@value #HOST_ADDRESS}, where the brokers and databases of the run listen, the namespace end
 * {@value #NAMESPACE_ADDRESS}, and the process runs in the namespace ({@link #command}). {@link #cut} takes the
 * namespace's end down — the process reaches neither Kafka nor any database, and nothing reaches it — and
 * {@link #heal} brings it up again. Traffic goes only between the two ends; {@link #close} deletes the namespace,
 * which deletes the pair. Needs root and {@code ip} (iproute2); {@link #available} tells.
 */
final class Partition implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Partition.class);
    static final String HOST_ADDRESS = "10.231.0.1";
    static final String NAMESPACE_ADDRESS = "10.231.0.2";
    private static final String NAMESPACE = "sfchaos";
    private static final String HOST_END = "sfchaos0";
    private static final String NAMESPACE_END = "sfchaos1";

    private Partition() {}

    /** Whether this machine lets the harness make one: root, and a namespace can be added and removed. */
    static boolean available() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        try {
            run("ip", "netns", "add", NAMESPACE + "-probe");
            run("ip", "netns", "del", NAMESPACE + "-probe");
            return true;
        } catch (IllegalStateException e) {
            log.info("chaos: no network partitions on this machine: {}", e.getMessage());
            return false;
        }
    }

    /** Creates the namespace and the pair, after removing what an earlier run may have left. */
    static Partition create() {
        runQuietly("ip", "netns", "del", NAMESPACE);
        runQuietly("ip", "link", "del", HOST_END);
        run("ip", "netns", "add", NAMESPACE);
        run("ip", "link", "add", HOST_END, "type", "veth", "peer", "name", NAMESPACE_END);
        run("ip", "link", "set", NAMESPACE_END, "netns", NAMESPACE);
        run("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", HOST_END);
        run("ip", "link", "set", HOST_END, "up");
        run("ip", "netns", "exec", NAMESPACE, "ip", "addr", "add", NAMESPACE_ADDRESS + "/30", "dev", NAMESPACE_END);
        run("ip", "netns", "exec", NAMESPACE, "ip", "link", "set", NAMESPACE_END, "up");
        run("ip", "netns", "exec", NAMESPACE, "ip", "link", "set", "lo", "up");
        log.info("chaos: network namespace {} joined by {} ({}) and {} ({})", NAMESPACE, HOST_END, HOST_ADDRESS,
                NAMESPACE_END, NAMESPACE_ADDRESS);
        return new Partition();
    }

    /** {@code command} as it runs inside the namespace. */
    List<String> command(List<String> command) {
        List<String> inside = new ArrayList<>(List.of("ip", "netns", "exec", NAMESPACE));
        inside.addAll(command);
        return inside;
    }

    void cut() {
        run("ip", "netns", "exec", NAMESPACE, "ip", "link", "set", NAMESPACE_END, "down");
        log.info("chaos: partition: {} cut off", NAMESPACE);
    }

    void heal() {
        run("ip", "netns", "exec", NAMESPACE, "ip", "link", "set", NAMESPACE_END, "up");
        log.info("chaos: partition: {} joined again", NAMESPACE);
    }

    @Override
    public void close() {
        runQuietly("ip", "netns", "del", NAMESPACE);
        runQuietly("ip", "link", "del", HOST_END);
    }

    private static void runQuietly(String... command) {
        try {
            run(command);
        } catch (IllegalStateException ignored) {
            // nothing to remove
        }
    }

    private static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " cannot run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " interrupted", e);
        }
    }
}
