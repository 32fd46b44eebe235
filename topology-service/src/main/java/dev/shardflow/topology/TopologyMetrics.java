package dev.shardflow.topology;

import dev.shardflow.topology.workflow.MoveWatch;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceDriver;
import dev.shardflow.topology.workflow.RebalanceState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology service's gauges: leadership, the epoch, the active rebalance's state, and its move's copy progress
 * and lag — the last two sampled every 2 s off the request path, since reading them costs Kafka round trips.
 */
final class TopologyMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopologyMetrics.class);

    private final TopologyService service;
    private final LeaderWorkflow workflow;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong copyMillionths = new AtomicLong();
    private final AtomicLong copied = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "topology-metrics");
        thread.setDaemon(true);
        return thread;
    });

    TopologyMetrics(TopologyService service, LeaderWorkflow workflow, MeterRegistry meters) {
        this.service = service;
        this.workflow = workflow;
        meters.gauge("shardflow.topology.leader", service, s -> s.leading() ? 1 : 0);
        for (RebalanceState each : RebalanceState.values()) {
            Gauge.builder("shardflow.topology.rebalance.state", this, m -> m.activeState() == each ? 1 : 0)
                    .tag("state", each.name()).description("1 for the state the active rebalance is in")
                    .register(meters);
        }
        meters.gauge("shardflow.topology.move.lag.records", lag);
        meters.gauge("shardflow.topology.copy.ratio", copyMillionths, a -> a.get() / 1e6);
        meters.gauge("shardflow.topology.copy.records", copied);
        meters.gauge("shardflow.topology.epoch", service, s -> s.state().map(t -> (double) t.currentTopology().epoch())
                .orElse(Double.NaN));
    }

    void start() {
        sampler.scheduleWithFixedDelay(this::sample, 2, 2, TimeUnit.SECONDS);
    }

    /** The state of the active rebalance, or null when none is active or this instance does not lead. */
    RebalanceState activeState() {
        return workflow.driver().flatMap(RebalanceDriver::active).map(Rebalance::state).orElse(null);
    }

    private void sample() {
        Optional<RebalanceDriver> driver = workflow.driver();
        if (driver.isEmpty()) {
            return;
        }
        try {
            Optional<Rebalance> active = driver.get().active();
            if (active.isEmpty()) {
                lag.set(0);
                return;
            }
            MoveWatch.Figures figures = service.moves().figures(active.get());
            if (figures.lag() != null) {
                lag.set(figures.lag());
            }
            if (figures.copy() != null) {
                copyMillionths.set(Math.round(figures.copy().fraction() * 1e6));
                copied.set(figures.copy().done());
            }
        } catch (Exception e) {
            log.debug("metrics sample failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
