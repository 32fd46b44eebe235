package dev.shardflow.core.process;

import dev.shardflow.core.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The life of a shardflow process: start its service from the one settings file it is given, run until SIGTERM, and
 * then close the service cleanly. Exit code 2 for a wrong command line, 1 when the settings or the start fail, with
 * the reason on stderr and no stack trace.
 */
public final class ProcessMain {

    /** Starts a process's service from its settings file; closing what it returns stops it. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start(Path settings) throws Exception;
    }

    private ProcessMain() {}

    /**
     * @param name the process as its logs and its settings file name it: {@code capture}, {@code writer}, ...
     */
    public static void run(Class<?> main, String name, String[] args, Starter starter) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: " + main.getSimpleName() + " <" + name + ".yaml>");
            System.exit(2);
        }
        AutoCloseable service;
        try {
            service = starter.start(Path.of(args[0]));
        } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println(name + ": cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println(name + ": stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        stopped.await();
    }
}
