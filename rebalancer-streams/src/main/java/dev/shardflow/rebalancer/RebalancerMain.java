package dev.shardflow.rebalancer;

import dev.shardflow.core.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The rebalancer process: {@code RebalancerMain rebalancer.yaml}. Stops cleanly on SIGTERM. */
public final class RebalancerMain {

    private RebalancerMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: RebalancerMain <rebalancer.yaml>");
            System.exit(2);
        }
        RebalancerService service;
        try {
            service = new RebalancerService(RebalancerOptions.load(Path.of(args[0]), System.getenv())).start();
        } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
            System.err.println("rebalancer: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "rebalancer-shutdown"));
        stopped.await();
    }
}
