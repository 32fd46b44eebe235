package dev.shardflow.rebalancer;

import dev.shardflow.process.ProcessMain;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** The rebalancer process: {@code RebalancerMain rebalancer.yaml}. Stops cleanly on SIGTERM. */
public final class RebalancerMain {

    private RebalancerMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(RebalancerMain.class, "rebalancer", args, RebalancerSettings.ALL, RebalancerMain::start);
    }

    /** The rebalancer service of this settings file, running. */
    public static RebalancerService start(Path settings, MeterRegistry meters) {
        return new RebalancerService(RebalancerOptions.load(settings, System.getenv()), meters).start();
    }
}
