package dev.shardflow.capture;

import dev.shardflow.process.ProcessMain;
import java.nio.file.Path;

/** The capture process: {@code CaptureMain capture.yaml}. Stops cleanly on SIGTERM. */
public final class CaptureMain {

    private CaptureMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(CaptureMain.class, "capture", args, CaptureMain::start);
    }

    /** The capture service of this settings file, running. */
    public static CaptureService start(Path settings) {
        return new CaptureService(CaptureOptions.load(settings, System.getenv())).start();
    }
}
