package dev.shardflow.process;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.Setting;
import dev.shardflow.core.config.SettingsReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The life of a shardflow process: start its service from the one settings file it is given, serve its health and
 * metrics ({@link HealthEndpoint}), run until SIGTERM, and then close the service within its shutdown timeout. Exit
 * code 2 for a wrong command line, 1 when the settings or the start fail, with the reason on stderr and no stack
 * trace, and 1 when a loop of the service fails for good (with {@code exitOnFailure}), so that its supervisor starts
 * it again.
 */
public final class ProcessMain {
    private static final long FAILURE_CHECK_MS = 1000;
    // the service's own parts stop within shutdownTimeoutMs; this is for what comes after them
    private static final long STOP_GRACE_MS = 5000;

    /**
     * Starts a process's service from its settings file, its meters registered in {@code meters}; closing what it
     * returns stops it. A service that is a {@link Health} is ready while its loops run.
     */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start(Path settings, MeterRegistry meters) throws Exception;
    }

    /**
     * A service whose background work can fail for good. When it does, the process says why on stderr and exits 1,
     * so that its supervisor sees it and starts it again, rather than running on doing nothing.
     */
    public interface Supervised {
        /** Registers the one listener of a failure for good; it may be called from any thread, at most once. */
        void onFailure(Consumer<Throwable> listener);
    }

    /** The service failed for good; the process ends with exit code 1. */
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
     * @param settings every setting its file may hold, {@link ProcessSettings} among them
     */
    public static void run(Class<?> main, String name, String[] args, List<Setting<?>> settings, Starter starter)
            throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: " + main.getSimpleName() + " <" + name + ".yaml>");
            System.exit(2);
        }
        try {
            serve(name, Path.of(args[0]), settings, starter);
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

    /** What {@link ProcessSettings} say for one process, with their defaults where it declares none of them. */
    private record Shared(String httpHost, int httpPort, boolean exitOnFailure, long shutdownTimeoutMs,
            String loggingFormat, String loggingLevel) {
        static Shared read(Path file, List<Setting<?>> declared) {
            SettingsReader reader = SettingsReader.of(file, System.getenv()).read(declared);
            Optional<Setting<?>> port = declared.stream().filter(s -> s.name().equals("http.port")).findFirst();
            return new Shared(value(reader, declared, ProcessSettings.HTTP_HOST),
                    port.map(s -> (Integer) reader.get(s)).orElse(0),
                    value(reader, declared, ProcessSettings.EXIT_ON_FAILURE),
                    value(reader, declared, ProcessSettings.SHUTDOWN_TIMEOUT_MS),
                    value(reader, declared, ProcessSettings.LOGGING_FORMAT),
                    value(reader, declared, ProcessSettings.LOGGING_LEVEL));
        }

        private static <T> T value(SettingsReader reader, List<Setting<?>> declared, Setting<T> setting) {
            return declared.contains(setting) ? reader.get(setting) : setting.defaultValue();
        }
    }

    /**
     * Starts the service and returns once SIGTERM has closed it.
     *
     * @throws ServiceFailed when a loop of the service failed for good (and {@code exitOnFailure} holds)
     * @throws Exception what the start threw (bad settings: {@link ConfigException}); nothing runs then
     */
    public static void serve(String name, Path file, List<Setting<?>> settings, Starter starter) throws Exception {
        Shared shared = Shared.read(file, settings);
        ProcessLogging.server(ProcessLogging.Format.of(shared.loggingFormat()), shared.loggingLevel());
        PrometheusMeterRegistry meters = ProcessMeters.registry();
        AutoCloseable service = starter.start(file, meters);
        Health health = service instanceof Health h ? h : List::of;
        HealthEndpoint endpoint = null;
        if (shared.httpPort() > 0) {
            try {
                endpoint = HealthEndpoint.start(shared.httpHost(), shared.httpPort(), health, meters::scrape);
            } catch (IOException e) {
                closeWithin(name, service, shared.shutdownTimeoutMs() + STOP_GRACE_MS);
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Consumer<Throwable> fail = cause -> {
            failed.compareAndSet(null, cause);
            stopped.countDown();
        };
        if (service instanceof Supervised supervised) {
            supervised.onFailure(fail);
        }
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + "-failure-watch");
            thread.setDaemon(true);
            return thread;
        });
        if (shared.exitOnFailure()) {
            watch.scheduleWithFixedDelay(() -> health.loops().stream().filter(Health.Loop::failed).findFirst()
                    .ifPresent(loop -> fail.accept(new IllegalStateException(loop.name() + " failed for good: "
                            + loop.detail()))), FAILURE_CHECK_MS, FAILURE_CHECK_MS, TimeUnit.MILLISECONDS);
        }
        HealthEndpoint served = endpoint;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                watch.shutdownNow();
                if (!closeWithin(name, service, shared.shutdownTimeoutMs() + STOP_GRACE_MS)) {
                    Runtime.getRuntime().halt(1);
                }
                if (served != null) {
                    served.close();
                }
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

    /**
     * Closes the service on a thread of its own and waits at most {@code timeoutMs}; a stop that takes longer (Kafka
     * or a database gone, a call that does not return) is given up on, saying so, and the process is ended all the
     * same by the caller.
     *
     * @return whether the service stopped in time
     */
    static boolean closeWithin(String name, AutoCloseable service, long timeoutMs) {
        Thread closing = new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println(name + ": stopping: " + e.getMessage());
            }
        }, name + "-close");
        closing.setDaemon(true);
        closing.start();
        try {
            closing.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closing.isAlive()) {
            System.err.println(name + ": did not stop within " + timeoutMs + " ms (shutdownTimeoutMs and 5 s); ending "
                    + "without waiting further: what was not committed is done again at the next start");
            return false;
        }
        return true;
    }
}
