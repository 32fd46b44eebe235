package dev.shardflow.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMainTest {
    private static final Setting<Integer> PORT = ProcessSettings.httpPort(0);
    private static final List<Setting<?>> SETTINGS = ProcessSettings.with(PORT);

    @TempDir
    Path directory;

    /** A service whose background work fails for good once {@link #fail} is called. */
    private static final class FailingService implements AutoCloseable, ProcessMain.Supervised {
        private volatile Consumer<Throwable> listener;

        @Override
        public void onFailure(Consumer<Throwable> onFailure) {
            listener = onFailure;
        }

        void fail(Throwable cause) {
            listener.accept(cause);
        }

        @Override
        public void close() {}
    }

    /** A service with one loop whose state a test sets. */
    private static final class OneLoop implements AutoCloseable, Health {
        volatile String state = "RUNNING";

        @Override
        public List<Loop> loops() {
            return List.of(new Loop("capture s1", state.equals("RUNNING"), state, state.equals("RUNNING") ? ""
                    : "connection refused"));
        }

        @Override
        public void close() {}
    }

    private CompletableFuture<Void> serve(String yaml, ProcessMain.Starter starter) throws Exception {
        Path file = Files.writeString(directory.resolve("process.yaml"), yaml);
        return CompletableFuture.runAsync(() -> {
            try {
                ProcessMain.serve("capture", file, SETTINGS, starter);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aSupervisedServiceThatFailsForGoodEndsTheProcessWithTheReason() throws Exception {
        FailingService service = new FailingService();
        CompletableFuture<Void> serving = serve("{}", (settings, meters) -> service);
        org.awaitility.Awaitility.await("the listener registered").atMost(Duration.ofSeconds(5))
                .until(() -> service.listener != null);
        assertThat(serving).isNotDone();
        service.fail(new IllegalStateException("the topology topic is gone"));
        assertThatThrownBy(() -> serving.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("the topology topic is gone")
                .cause().cause().isInstanceOf(ProcessMain.ServiceFailed.class)
                .hasMessageContaining("failed: the topology topic is gone; exiting so that the supervisor starts it");
    }

    @Test
    void aLoopThatFailedForGoodEndsTheProcessNamingTheLoop() throws Exception {
        OneLoop service = new OneLoop();
        CompletableFuture<Void> serving = serve("{}", (settings, meters) -> service);
        service.state = "RETRYING";
        org.awaitility.Awaitility.await("retrying is not failing").during(Duration.ofMillis(2500))
                .atMost(Duration.ofSeconds(5)).until(() -> !serving.isDone());
        service.state = "FAILED";
        assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS)).cause().cause()
                .isInstanceOf(ProcessMain.ServiceFailed.class)
                .hasMessageContaining("capture s1 failed for good: connection refused");
    }

    @Test
    void withoutExitOnFailureAFailedLoopLeavesTheProcessRunning() throws Exception {
        OneLoop service = new OneLoop();
        service.state = "FAILED";
        CompletableFuture<Void> serving = serve("exitOnFailure: false\n", (settings, meters) -> service);
        org.awaitility.Awaitility.await("still serving").during(Duration.ofMillis(2500))
                .atMost(Duration.ofSeconds(5)).until(() -> !serving.isDone());
    }

    @Test
    void aWrongSharedSettingFailsTheStartNamingItBeforeTheServiceStarts() throws Exception {
        boolean[] started = {false};
        CompletableFuture<Void> serving = serve("http: {port: 70000}\nexitOnFailure: maybe\n", (settings, meters) -> {
            started[0] = true;
            return () -> { };
        });
        assertThatThrownBy(() -> serving.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(ConfigException.class)
                .rootCause().hasMessageContaining("http.port").hasMessageContaining("exitOnFailure");
        assertThat(started[0]).isFalse();
    }

    @Test
    void aStopThatDoesNotReturnIsGivenUpOnAtItsTimeout() {
        long started = System.nanoTime();
        boolean stopped = ProcessMain.closeWithin("capture", () -> Thread.sleep(60_000), 300);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(stopped).isFalse();
        assertThat(tookMs).as("waited about the timeout, not the stop").isBetween(250L, 5_000L);
        assertThat(ProcessMain.closeWithin("capture", () -> { }, 300)).isTrue();
    }
}
