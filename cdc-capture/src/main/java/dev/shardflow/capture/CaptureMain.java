package dev.shardflow.capture;

import dev.shardflow.core.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The capture process: {@code CaptureMain capture.yaml}. Stops cleanly on SIGTERM. */
public final class CaptureMain {

    private CaptureMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: CaptureMain <capture.yaml>");
            System.exit(2);
        }
        CaptureService service;
        try {
            service = new CaptureService(CaptureOptions.load(Path.of(args[0]), System.getenv())).start();
        } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
            System.err.println("capture: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "capture-shutdown"));
        stopped.await();
    }
}
