package dev.shardflow.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temp directories and server processes of this JVM. Everything handed out here is removed when the JVM
 * exits normally; what a killed JVM left behind (its directories and the servers whose pid files are in them) is
 * removed by the next JVM that uses the testkit, so no process or temp dir outlives its owner for long.
 */
public final class Scratch {
    private static final Logger log = LoggerFactory.getLogger(Scratch.class);
    private static final String OWNER_PREFIX = "shardflow-testkit-";
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"));
    private static final Set<ServerProcess> LIVE_PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> LIVE_DIRS = ConcurrentHashMap.newKeySet();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static volatile Path jvmDir;

    private Scratch() {}

    /** A new empty directory, named after {@code purpose}, that is deleted when the JVM exits. */
    public static Path newDirectory(String purpose) {
        try {
            Path dir = Files.createDirectories(jvmDirectory().resolve(purpose + "-" + SEQUENCE.incrementAndGet()));
            LIVE_DIRS.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory under " + ROOT, e);
        }
    }

    /** Deletes a directory made by {@link #newDirectory} now rather than at exit. */
    public static void delete(Path dir) {
        LIVE_DIRS.remove(dir);
        deleteRecursively(dir);
    }

    static void register(ServerProcess process) {
        jvmDirectory();
        LIVE_PROCESSES.add(process);
    }

    static void unregister(ServerProcess process) {
        LIVE_PROCESSES.remove(process);
    }

    private static synchronized Path jvmDirectory() {
        if (jvmDir == null) {
            removeLeftoversOfDeadJvms();
            try {
                jvmDir = Files.createDirectories(ROOT.resolve(OWNER_PREFIX + ProcessHandle.current().pid()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + ROOT.resolve(OWNER_PREFIX), e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(Scratch::cleanUpAtExit, "shardflow-testkit-cleanup"));
        }
        return jvmDir;
    }

    private static void cleanUpAtExit() {
        for (ServerProcess process : List.copyOf(LIVE_PROCESSES)) {
            process.kill();
        }
        deleteRecursively(jvmDir);
    }

    /**
     * Kills the servers and removes the directories of testkit JVMs that no longer run. Called once by every JVM
     * before it first uses the testkit.
     */
    public static void removeLeftoversOfDeadJvms() {
        List<Path> orphans = new ArrayList<>();
        try (Stream<Path> entries = Files.list(ROOT)) {
            entries.filter(p -> p.getFileName().toString().startsWith(OWNER_PREFIX))
                    .filter(p -> !ownerIsAlive(p))
                    .forEach(orphans::add);
        } catch (IOException e) {
            log.warn("cannot list {} to remove leftovers of earlier test runs: {}", ROOT, e.toString());
            return;
        }
        for (Path orphan : orphans) {
            killRecordedServers(orphan);
            deleteRecursively(orphan);
            log.info("removed {} left behind by a test JVM that no longer runs", orphan);
        }
    }

    private static boolean ownerIsAlive(Path dir) {
        try {
            long pid = Long.parseLong(dir.getFileName().toString().substring(OWNER_PREFIX.length()));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours to judge
        }
    }

    private static void killRecordedServers(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> p.getFileName().toString().equals(ServerProcess.PID_FILE))
                    .forEach(pidFile -> ServerProcess.killRecorded(pidFile, dir));
        } catch (IOException e) {
            log.warn("cannot scan {} for servers left running: {}", dir, e.toString());
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // a server removed it while we walked
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
