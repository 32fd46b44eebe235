package dev.shardflow.writer;

import dev.shardflow.process.ProcessMain;
import java.nio.file.Path;

/** The writer process: {@code WriterMain writer.yaml}. Stops cleanly on SIGTERM. */
public final class WriterMain {

    private WriterMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(WriterMain.class, "writer", args, WriterMain::start);
    }

    /** The writer service of this settings file, running. */
    public static WriterService start(Path settings) {
        return new WriterService(WriterOptions.load(settings, System.getenv())).start();
    }
}
