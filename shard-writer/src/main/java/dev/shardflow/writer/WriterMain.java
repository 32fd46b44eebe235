package dev.shardflow.writer;

import dev.shardflow.core.process.ProcessMain;

/** The writer process: {@code WriterMain writer.yaml}. Stops cleanly on SIGTERM. */
public final class WriterMain {

    private WriterMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(WriterMain.class, "writer", args, settings -> new WriterService(WriterOptions.load(settings,
                System.getenv())).start());
    }
}
