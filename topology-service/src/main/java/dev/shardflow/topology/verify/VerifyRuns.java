package dev.shardflow.topology.verify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The service's verify runs: one at a time (two would only slow each other and the shards), with the live progress
 * of the one under way and the report of the last one, for the API, the dashboard and the metrics.
 */
public final class VerifyRuns {
    private final ChunkedVerifier verifier;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter rowsRead;
    private volatile VerifyProgress progress;
    private volatile VerifyReport last;

    public VerifyRuns(ChunkedVerifier verifier, MeterRegistry meters) {
        this.verifier = verifier;
        this.rowsRead = Counter.builder("shardflow.topology.verify.rows").description("rows verify read")
                .register(meters);
    }

    /**
     * Runs one verify on the caller's thread.
     *
     * @param resume a partial report of the same scope to continue from, or null
     * @param checkpoint gets partial reports to keep, so that a run cut short can resume
     * @throws VerifyException if another run is under way, or this one cannot go on
     */
    public VerifyReport run(ChunkedVerifier.Scope scope, VerifyReport resume, Consumer<VerifyReport> checkpoint)
            throws InterruptedException {
        if (!running.compareAndSet(false, true)) {
            VerifyProgress now = progress;
            throw new VerifyException("a verify is already running" + (now == null ? "" : " (" + now.step() + ", "
                    + now.rowsRead() + " of " + now.rowsTotal() + " rows)") + "; wait for it to finish");
        }
        try {
            VerifyReport from = resume != null && resume.cursor() != null && scope.name().equals(resume.scope())
                    ? resume : null;
            long[] counted = {0};
            VerifyReport report = verifier.verify(scope, from, new ChunkedVerifier.Listener() {
                @Override
                public void progress(VerifyProgress now) {
                    rowsRead.increment(now.rowsRead() - counted[0]);
                    counted[0] = now.rowsRead();
                    progress = now;
                }

                @Override
                public void checkpoint(VerifyReport partial) {
                    checkpoint.accept(partial);
                }
            });
            last = report;
            return report;
        } finally {
            running.set(false);
        }
    }

    /** The progress of the run under way, or of the last one. */
    public Optional<VerifyProgress> progress() {
        return Optional.ofNullable(progress);
    }

    /** The report of the last run that finished. */
    public Optional<VerifyReport> last() {
        return Optional.ofNullable(last);
    }
}
