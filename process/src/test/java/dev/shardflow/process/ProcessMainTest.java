package dev.shardflow.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ProcessMainTest {

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

    @Test
    void aSupervisedServiceThatFailsForGoodEndsTheProcessWithTheReason() throws Exception {
        FailingService service = new FailingService();
        CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
            try {
                ProcessMain.serve("rebalancer", Path.of("rebalancer.yaml"), settings -> service);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await("the listener registered").atMost(java.time.Duration.ofSeconds(5))
                .until(() -> service.listener != null);
        assertThat(serving).isNotDone();
        service.fail(new IllegalStateException("the topology topic is gone"));
        assertThatThrownBy(() -> serving.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("the topology topic is gone")
                .cause().cause().isInstanceOf(ProcessMain.ServiceFailed.class)
                .hasMessageContaining("failed: the topology topic is gone; exiting so that the supervisor starts it");
    }
}
