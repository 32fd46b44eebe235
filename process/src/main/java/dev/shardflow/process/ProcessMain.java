package dev.shardflow.process;

import dev.shardflow.core.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

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

    /**
     * A service whose background work can fail for good. When it does, the process says why on stderr and exits 1,
     * so that its supervisor sees it and starts it again, rather than running on doing nothing.
     */
    public interface Supervised {
        /** Registers the one listener of a failure for good; it may be called from any thread, at most once. */
        void onFailure(Consumer<Throwable> listener);
    }

    /** The service failed for good ({@link Supervised}); the process ends with exit code 1. */
    public static final class ServiceFailed extends Exception {
        private static final long serialVersionUID = 1L;

        ServiceFailed(String message, Throwable cause) {
            super(message, cause);
        }
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
        } catch (ServiceFailed e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(1);
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
     * @throws ServiceFailed when a {@link Supervised} service failed for good
     * @throws Exception what the start threw (bad settings: {@link ConfigException}); nothing runs then
     */
    public static void serve(String name, Path settings, Starter starter) throws Exception {
        AutoCloseable service = starter.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        if (service instanceof Supervised supervised) {
            supervised.onFailure(cause -> {
                failed.set(cause);
                stopped.countDown();
            });
        }
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
        Throwable cause = failed.get();
        if (cause != null) {
            throw new ServiceFailed("failed: " + cause.getMessage() + "; exiting so that the supervisor starts it "
                    + "again", cause);
        }
    }
}
