package dev.shardflow.rebalancer;

import dev.shardflow.core.topology.MoveControls;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What holds or slows the running move: the operator's controls (pause, a rate), as the topology topic last said,
 * and the lag throttle ({@link LagCheck}), asked every few seconds while a bound is set. Both reach the move through
 * {@link MoveApp#control}; the gauges say what is in force.
 */
final class MoveControl {
    private static final Logger log = LoggerFactory.getLogger(MoveControl.class);
    private static final long LAG_CHECK_NANOS = 5_000_000_000L;

    private final RebalancerOptions options;
    private final Supplier<MoveApp> move;
    private volatile MoveControls controls = MoveControls.NONE;
    private volatile String held;
    private LagCheck lagCheck;
    private long lastLagCheck = System.nanoTime();

    MoveControl(RebalancerOptions options, Supplier<MoveApp> move, MeterRegistry registry) {
        this.options = options;
        this.move = move;
        Gauge.builder("shardflow.rebalancer.move.paused", () -> paused() ? 1 : 0)
                .description("1 while the running move is paused, by the operator or the lag throttle")
                .register(registry);
        Gauge.builder("shardflow.rebalancer.move.max.rows.per.second", () -> controls.maxRowsPerSecond())
                .description("the operator's limit on the running move, change records per second (0: none)")
                .register(registry);
    }

    void start(Admin admin) {
        lagCheck = new LagCheck(options, admin);
    }

    /** The topology topic's controls for the move running now (a new move starts without a hold). */
    void follow(MoveControls next, boolean newMove) {
        controls = next;
        if (newMove) {
            held = null;
        }
        apply();
    }

    /** Asks the lag throttle again when it is time to; called by the rebalancer's watch loop. */
    void tick() {
        if (move.get() == null || options.lagBounds().off() || System.nanoTime() - lastLagCheck < LAG_CHECK_NANOS) {
            return;
        }
        lastLagCheck = System.nanoTime();
        String reason;
        try {
            reason = lagCheck.holdReason();
        } catch (Exception e) {
            log.warn("rebalancer of {}: the lag throttle cannot read the lag now ({}); the move is not held for it",
                    options.topology().keyspace(), e.getMessage());
            reason = null;
        }
        if (!Objects.equals(reason, held)) {
            if (reason != null) {
                log.info("rebalancer of {}: holding the move: {}", options.topology().keyspace(), reason);
            } else {
                log.info("rebalancer of {}: no lag above its bound; the move goes on", options.topology().keyspace());
            }
        }
        held = reason;
        apply();
    }

    private void apply() {
        MoveApp current = move.get();
        if (current != null) {
            current.control(controls, held);
        }
    }

    Optional<String> held() {
        return Optional.ofNullable(held);
    }

    boolean paused() {
        MoveApp current = move.get();
        return current != null && current.paused();
    }
}
