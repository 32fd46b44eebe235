package dev.shardflow.process;

import dev.shardflow.core.config.Setting;
import java.util.List;

/**
 * The settings every shardflow process shares, declared once: where it serves its health and metrics, whether a loop
 * failed for good ends it, and how long its stop may take. Each process lists them with its own settings.
 */
public final class ProcessSettings {
    public static final Setting<String> HTTP_HOST = Setting.text("http.host", "127.0.0.1",
            "the address /health/live, /health/ready and /metrics are served on; 0.0.0.0 for a probe or scraper on "
                    + "another host (a container's)");
    public static final Setting<Boolean> EXIT_ON_FAILURE = Setting.flag("exitOnFailure", true,
            "end the process with exit code 1 when one of its loops has failed for good, so that its supervisor "
                    + "starts it again; false leaves it running, not ready, for someone to look at");
    public static final Setting<Long> SHUTDOWN_TIMEOUT_MS = Setting.positiveLong("shutdownTimeoutMs", 30000L,
            "how long the stop after SIGTERM may take, even with Kafka or a database gone; what is not done by then is "
                    + "left undone (and not committed, so it is done again at the next start) and the process ends");

    public static final Setting<String> LOGGING_FORMAT = new Setting<>("logging.format", String.class, "text",
            "text (a line per event, timed) or json (one JSON object a line, for a log pipeline), on stderr",
            value -> value.equalsIgnoreCase("text") || value.equalsIgnoreCase("json") ? null : "must be text or json");
    public static final Setting<String> LOGGING_LEVEL = new Setting<>("logging.level", String.class, "info",
            "how much shardflow itself logs: info (its story: states, progress, recoveries) or debug (and per-record "
                    + "detail); libraries log their warnings either way",
            value -> java.util.Set.of("error", "warn", "info", "debug", "trace").contains(value.toLowerCase(
                    java.util.Locale.ROOT)) ? null : "must be one of error, warn, info, debug, trace");

    private ProcessSettings() {}

    /** Where this process serves its health and metrics; each kind of process has its own default port. */
    public static Setting<Integer> httpPort(int defaultPort) {
        return Setting.port("http.port", defaultPort, "the port of /health/live, /health/ready and /metrics; 0 "
                + "serves none (several processes on one host each need their own)");
    }

    /** The shared settings, with the process's own {@link #httpPort} (declared once, in its settings class). */
    public static List<Setting<?>> with(Setting<Integer> httpPort) {
        return List.of(HTTP_HOST, httpPort, EXIT_ON_FAILURE, SHUTDOWN_TIMEOUT_MS, LOGGING_FORMAT, LOGGING_LEVEL);
    }
}
