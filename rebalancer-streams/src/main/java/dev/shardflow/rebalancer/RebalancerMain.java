package dev.shardflow.rebalancer;

import dev.shardflow.core.process.ProcessMain;

/** The rebalancer process: {@code RebalancerMain rebalancer.yaml}. Stops cleanly on SIGTERM. */
public final class RebalancerMain {

    private RebalancerMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(RebalancerMain.class, "rebalancer", args, settings -> new RebalancerService(RebalancerOptions.load(settings,
                System.getenv())).start());
    }
}
