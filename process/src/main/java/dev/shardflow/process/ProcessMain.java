package dev.shardflow.process;

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
     * The entry of a process's {@code main}: exit code 2 for a wrong command line, 1 with the reason when the settings
     * or the start fail; otherwise {@link #serve} until SIGTERM.
     *
     * @param name the process as its logs and its settings file name it: {@code capture}, {@code writer}, ...
     */
    public static void run(Class<?> main, String name, String[] args, Starter starter) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: " + main.getSimpleName() + " <" + name + ".yaml>");
            System.exit(2);
        }
        try {
            serve(name, Path.of(args[0]), starter);
        } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            System.err.println(name + ": cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Starts the service and returns once SIGTERM has closed it.
     *
     * @throws Exception what the start threw (bad settings: {@link ConfigException}); nothing runs then
     */
    public static void serve(String name, Path settings, Starter starter) throws Exception {
        AutoCloseable service = starter.start(settings);
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
