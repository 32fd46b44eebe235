package dev.shardflow.writer;

import dev.shardflow.core.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The writer process: {@code WriterMain writer.yaml}. Stops cleanly on SIGTERM. */
public final class WriterMain {

    private WriterMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: WriterMain <writer.yaml>");
            System.exit(2);
        }
        WriterService service;
        try {
            service = new WriterService(WriterOptions.load(Path.of(args[0]), System.getenv())).start();
        } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
            System.err.println("writer: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "writer-shutdown"));
        stopped.await();
    }
}
