package dev.shardflow.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardflow.testkit.db.PostgresShard;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeftoverCleanupIT {

    /** Run in a child JVM: starts a shard, says where it is, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        PostgresShard shard = PostgresShard.start("left-behind");
        long serverPid = ProcessHandle.current().children().findFirst().orElseThrow().pid();
        System.out.println("READY " + serverPid + " " + shard.dataDirectory());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void serversAndDirectoriesOfAKilledTestJvmAreRemovedByTheNextOne() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                LeftoverCleanupIT.class.getName()))
                .redirectErrorStream(true)
                .start();
        String ready;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            ready = out.lines().filter(line -> line.startsWith("READY ")).findFirst().orElseThrow(
                    () -> new AssertionError("the child JVM exited before its shard was ready"));
        }
        String[] parts = ready.split(" ", 3);
        ProcessHandle server = ProcessHandle.of(Long.parseLong(parts[1])).orElseThrow();
        Path dataDirectory = Path.of(parts[2]);

        child.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.isAlive()).as("the orphaned PostgreSQL server still runs").isTrue();
        assertThat(Files.isDirectory(dataDirectory)).isTrue();

        Scratch.removeLeftoversOfDeadJvms();

        await().atMost(Duration.ofSeconds(30)).until(() -> !server.isAlive());
        assertThat(Files.exists(dataDirectory)).isFalse();
    }
}
