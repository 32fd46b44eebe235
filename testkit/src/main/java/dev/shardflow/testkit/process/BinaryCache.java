package dev.shardflow.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server binaries unpacked once from the Maven artifacts that ship them, into a cache directory shared by every
 * JVM on the machine ({@code -Dshardflow.testkit.cache}, else {@code $SHARDFLOW_TESTKIT_CACHE}, else
 * {@code ~/.cache/shardflow-testkit}). Unpacking happens in a side directory that is renamed into place when it is
 * complete, under a file lock, so concurrent test JVMs never see half a tree.
 */
public final class BinaryCache {
    private static final Logger log = LoggerFactory.getLogger(BinaryCache.class);
    private static final ReentrantLock IN_JVM = new ReentrantLock();

    /** Writes a complete tree of binaries into the empty directory it is given. */
    @FunctionalInterface
    public interface Unpacker {
        void unpackInto(Path directory) throws IOException;
    }

    private BinaryCache() {}

    /** The directory holding {@code name}, unpacking it first if no JVM has done so yet. */
    @SuppressWarnings("try") // the file lock is held for the block, never read
    public static Path obtain(String name, Unpacker unpacker) {
        Path root = root();
        Path target = root.resolve(name);
        if (Files.isDirectory(target)) {
            return target;
        }
        IN_JVM.lock();
        try (FileChannel lockFile = FileChannel.open(root.resolve(name + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            if (Files.isDirectory(target)) {
                return target; // another JVM finished while we waited
            }
            Path side = root.resolve(name + ".unpacking-" + ProcessHandle.current().pid());
            Scratch.deleteRecursively(side);
            Files.createDirectories(side);
            long started = System.nanoTime();
            unpacker.unpackInto(side);
            Files.move(side, target, StandardCopyOption.ATOMIC_MOVE);
            log.info("unpacked {} into {} in {} ms", name, target, (System.nanoTime() - started) / 1_000_000);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + name + " into " + target
                    + "; check free space there or point -Dshardflow.testkit.cache elsewhere", e);
        } finally {
            IN_JVM.unlock();
        }
    }

    private static Path root() {
        String configured = System.getProperty("shardflow.testkit.cache", System.getenv("SHARDFLOW_TESTKIT_CACHE"));
        Path root = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "shardflow-testkit");
        try {
            return Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the binary cache " + root
                    + "; point -Dshardflow.testkit.cache at a writable directory", e);
        }
    }
}
