package dev.shardflow.writer;

import dev.shardflow.process.ProcessMain;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** The writer process: {@code WriterMain writer.yaml}. Stops cleanly on SIGTERM. */
public final class WriterMain {

    private WriterMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(WriterMain.class, "writer", args, WriterSettings.ALL, WriterMain::start);
    }

    /** The writer service of this settings file, running. */
    public static WriterService start(Path settings, MeterRegistry meters) {
        return new WriterService(WriterOptions.load(settings, System.getenv()), meters).start();
    }
}
