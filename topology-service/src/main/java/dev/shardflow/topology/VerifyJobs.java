package dev.shardflow.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verify as a job: the request that starts one returns at once, with the job; the job runs on a thread of its own,
 * one at a time, and its state, progress and report are read while it runs and after it ended — so a verify of
 * hours is followed, never waited on by a request that times out.
 */
final class VerifyJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VerifyJobs.class);

    /** One verify: what it compares, where it stands, and its report once it ended. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Job(String id, String scope, String rebalance, String state, long startedAtMs, Long endedAtMs,
            String error, VerifyReport report) {

        boolean running() {
            return state.equals("RUNNING");
        }

        Job ended(VerifyReport result, String failure) {
            return new Job(id, scope, rebalance, failure == null ? "DONE" : "FAILED", startedAtMs,
                    System.currentTimeMillis(), failure, result);
        }

        /** The job without its report's rows, for a reader without the token. */
        Job withoutRows() {
            return report == null ? this : new Job(id, scope, rebalance, state, startedAtMs, endedAtMs, error,
                    report.withoutRows());
        }
    }

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "verify-job");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong sequence = new AtomicLong();
    private volatile Job current;

    /**
     * Starts {@code run} as the next job, unless one runs.
     *
     * @param scope what it compares ({@code rebalance}, {@code moving}, {@code all}), for the reader
     * @throws WorkflowException CONFLICT while another job runs
     */
    synchronized Job start(String scope, String rebalance, Supplier<VerifyReport> run) {
        Job running = current;
        if (running != null && running.running()) {
            throw new WorkflowException(Kind.CONFLICT, "verify " + running.id() + " (" + running.scope()
                    + ") is running since " + java.time.Instant.ofEpochMilli(running.startedAtMs())
                    + "; follow it with GET /api/verify or shardctl verify --follow");
        }
        Job job = new Job("v" + sequence.incrementAndGet() + "-" + Long.toString(System.currentTimeMillis(), 36),
                scope, rebalance, "RUNNING", System.currentTimeMillis(), null, null, null);
        current = job;
        log.info("verify {} started: {}{}", job.id(), scope, rebalance == null ? "" : " of rebalance " + rebalance);
        executor.execute(() -> {
            Job ended;
            try {
                VerifyReport report = run.get();
                ended = job.ended(report, null);
                log.info("verify {} done in {} ms: {} rows compared, {} mismatches, {} unsettled, {} orphans{}",
                        job.id(), report.elapsedMs(), report.rowsCompared(), report.mismatches(), report.unsettled(),
                        report.orphans(), report.complete() ? "" : " (stopped early; verify again to resume)");
            } catch (RuntimeException e) {
                ended = job.ended(null, e.getMessage());
                log.warn("verify {} failed: {}", job.id(), e.getMessage());
            }
            current = ended;
        });
        return job;
    }

    /** The job running now, or the last one. */
    Optional<Job> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
