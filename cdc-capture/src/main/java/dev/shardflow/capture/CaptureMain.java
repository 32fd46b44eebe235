package dev.shardflow.capture;

import dev.shardflow.core.process.ProcessMain;

/** The capture process: {@code CaptureMain capture.yaml}. Stops cleanly on SIGTERM. */
public final class CaptureMain {

    private CaptureMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(CaptureMain.class, "capture", args, settings -> new CaptureService(CaptureOptions.load(settings,
                System.getenv())).start());
    }
}
