package dev.shardflow.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a shardflow process logs, on stderr: a server ({@code shardctl serve}) tells its story — states, progress,
 * recoveries — at INFO and per-record detail at DEBUG, its libraries their warnings; a command prints its own
 * results, its libraries only their errors. As text, each line timed; or, with {@code logging.format: json}, one
 * JSON object a line (logstash-logback-encoder: {@code @timestamp}, {@code level}, {@code logger_name},
 * {@code thread_name}, {@code message}, {@code stack_trace}) for a log pipeline. No secret is ever logged: the
 * configuration, connections and errors log references to secrets, never their values.
 */
public final class ProcessLogging {
    /** The text line of every process: time with its zone, thread, level, logger, message. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%thread] %level %logger - %msg%n";

    public enum Format {
        TEXT, JSON;

        /** {@code text} or {@code json}, in any case. */
        public static Format of(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("logging.format: '" + name + "' is neither text nor json", e);
            }
        }
    }

    private ProcessLogging() {}

    /**
     * A server's logging: shardflow at {@code level} ({@code info}, or {@code debug} for per-record detail), Kafka,
     * Debezium and everything else at WARN.
     */
    public static void server(Format format, String level) {
        configure(format, Level.WARN, Map.of("dev.shardflow", Level.toLevel(level, Level.INFO),
                "org.apache.kafka", Level.WARN, "io.debezium", Level.WARN));
    }

    /** A command's logging: its libraries' warnings of shardflow's own, and errors of Kafka and Debezium. */
    public static void command() {
        configure(Format.TEXT, Level.WARN, Map.of("org.apache.kafka", Level.ERROR, "io.debezium", Level.ERROR));
    }

    private static void configure(Format format, Level root, Map<String, Level> levels) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: an embedding application configures its own logging
        }
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (format == Format.JSON) {
            LogstashEncoder json = new LogstashEncoder();
            json.setContext(context);
            json.start();
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(context);
            text.setPattern(PATTERN);
            text.start();
            encoder = text;
        }
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger rootLogger = context.getLogger(Logger.ROOT_LOGGER_NAME);
        rootLogger.addAppender(appender);
        rootLogger.setLevel(root);
        levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }
}
