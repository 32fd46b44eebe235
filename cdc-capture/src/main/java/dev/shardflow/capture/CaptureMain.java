package dev.shardflow.capture;

import dev.shardflow.process.ProcessMain;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** The capture process: {@code CaptureMain capture.yaml}. Stops cleanly on SIGTERM. */
public final class CaptureMain {

    private CaptureMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(CaptureMain.class, "capture", args, CaptureSettings.ALL, CaptureMain::start);
    }

    /** The capture service of this settings file, running. */
    public static CaptureService start(Path settings, MeterRegistry meters) {
        return new CaptureService(CaptureOptions.load(settings, System.getenv()), meters).start();
    }
}
