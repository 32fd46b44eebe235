package dev.shardflow.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real server process started from the command line it is given, with its output in a log file. It can be
 * killed the way a crash kills it (SIGKILL to the process and every descendant) and started again with the same
 * command, so the data directory it was using survives.
 */
public final class ServerProcess {
    static final String PID_FILE = "testkit-server.pid";
    private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

    private final String name;
    private final List<String> command;
    private final Path directory;
    private final Path logFile;
    private final Map<String, String> environment;
    private volatile Process process;

    /**
     * @param name how logs and errors name this server, for example {@code "postgres pg1"}
     * @param command the command line that runs the server in the foreground
     * @param directory the server's own directory: its log file and pid file go there
     */
    public ServerProcess(String name, List<String> command, Path directory, Map<String, String> environment) {
        this.name = name;
        this.command = List.copyOf(command);
        this.directory = directory;
        this.logFile = directory.resolve("server.log");
        this.environment = Map.copyOf(environment);
    }

    /** Starts the process; call {@link #awaitReady} next. */
    public synchronized void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running as pid " + process.pid());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
            Files.writeString(directory.resolve(PID_FILE), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot run " + command.get(0), e);
        }
        Scratch.register(this);
        log.debug("{} started as pid {}: {}", name, process.pid(), command);
    }

    /**
     * Waits until {@code ready} answers true, polling every 100 ms. Fails at once, with the end of the server's
     * log, if the process exits first, and after {@code timeout} if it never gets ready.
     */
    public void awaitReady(Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before it was ready; end of " + logFile + ":\n" + logTail(30));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready after " + timeout + "; end of " + logFile
                        + ":\n" + logTail(30));
            }
            sleepQuietly(100);
        }
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL to the server and all its descendants, as a power cut would end them; returns once they are gone. */
    public synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        killTree(p.toHandle());
        Scratch.unregister(this);
    }

    /**
     * Asks the server to shut down with {@code signal} (for example {@code "TERM"}, or {@code "INT"} for
     * PostgreSQL's fast shutdown) and waits up to {@code timeout}; kills it if it is still running then.
     */
    public synchronized void stop(String signal, Duration timeout) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            Scratch.unregister(this);
            return;
        }
        try {
            new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} did not stop within {} after SIG{}; killing it", name, timeout, signal);
            }
        } catch (IOException e) {
            log.warn("{}: cannot send SIG{} ({}); killing it", name, signal, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
    }

    /**
     * Sends {@code signal} (for example {@code "STOP"} or {@code "CONT"}) to the server process alone and returns;
     * nothing happens if it does not run.
     */
    public void signal(String signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            int exit = new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid())).start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(name + ": kill -s " + signal + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot send SIG" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /** The last {@code lines} lines of the server's log. */
    public String logTail(int lines) {
        try (Stream<String> all = Files.lines(logFile, StandardCharsets.UTF_8)) {
            Deque<String> tail = new ArrayDeque<>();
            all.forEach(line -> {
                tail.addLast(line);
                if (tail.size() > lines) {
                    tail.removeFirst();
                }
            });
            return String.join("\n", tail);
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * Kills the server whose pid a JVM that no longer runs recorded in {@code pidFile}, if that pid still runs a
     * command that names {@code ownerDir} (so a recycled pid is never killed).
     */
    static void killRecorded(Path pidFile, Path ownerDir) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid)
                    .filter(handle -> handle.info().commandLine().orElse("").contains(ownerDir.toString()))
                    .ifPresent(handle -> {
                log.info("killing server pid {} left running by an earlier test JVM ({})", pid, pidFile);
                killTree(handle);
            });
        } catch (IOException | NumberFormatException e) {
            log.debug("ignoring unreadable {}: {}", pidFile, e.toString());
        }
    }

    private static void killTree(ProcessHandle root) {
        // Snapshot the children first: once the parent is gone they are re-parented and no longer found.
        List<ProcessHandle> descendants = root.descendants().toList();
        root.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        awaitExit(root);
        descendants.forEach(ServerProcess::awaitExit);
    }

    private static void awaitExit(ProcessHandle handle) {
        try {
            handle.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("pid {} still running 30 s after SIGKILL", handle.pid());
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a server", e);
        }
    }
}
