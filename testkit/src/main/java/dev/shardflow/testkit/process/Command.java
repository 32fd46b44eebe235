package dev.shardflow.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A one-shot command (initdb, mariadb-install-db) run to completion; a failure carries the command's output. */
public final class Command {
    private Command() {}

    /** Runs {@code command} in {@code workDir} and returns once it exited with code 0. */
    public static void run(String what, List<String> command, Path workDir, Duration timeout) {
        Path output = workDir.resolve(what.replaceAll("[^A-Za-z0-9_-]", "_") + ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + timeout + "; output:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with exit code " + process.exitValue()
                        + " (" + String.join(" ", command) + "); output:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    /** True when this JVM runs as root, where PostgreSQL and MariaDB need special treatment. */
    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
