package dev.shardflow.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in {@code monitoring/} asks only for metrics the processes declare: each
 * {@code shardflow_...} name in its queries, less Prometheus's suffixes ({@code _total}, {@code _seconds},
 * {@code _max}...), is a meter name of the sources with dots for underscores — so a renamed meter breaks this test,
 * not an operator's dashboard.
 */
class DashboardMetricsTest {
    private static final Pattern QUERY_NAME = Pattern.compile("shardflow_[a-z_]+");
    private static final Pattern METER = Pattern.compile("\"(shardflow\\.[a-z.]+)\"");
    private static final List<String> SUFFIXES = List.of("_total", "_seconds_max", "_seconds", "_bytes", "_records",
            "_ratio", "_max");

    @Test
    void everyMetricTheDashboardShowsIsDeclaredByAProcess() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        String dashboard = Files.readString(root.resolve("monitoring/grafana/shardflow-dashboard.json"));
        Set<String> asked = new TreeSet<>();
        Matcher query = QUERY_NAME.matcher(dashboard);
        while (query.find()) {
            asked.add(query.group());
        }
        Set<String> declared = new TreeSet<>();
        try (Stream<Path> modules = Files.list(root)) {
            modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory)
                    .flatMap(DashboardMetricsTest::javaFiles).forEach(file -> {
                        Matcher meter = METER.matcher(read(file));
                        while (meter.find()) {
                            declared.add(meter.group(1));
                        }
                    });
        }
        assertThat(asked).as("metrics in the dashboard").hasSizeGreaterThan(10);
        List<String> unknown = asked.stream().filter(name -> candidates(name).noneMatch(declared::contains)).toList();
        assertThat(unknown).as("dashboard metrics no process declares (declared: %s)", declared).isEmpty();
    }

    /** The meter names a Prometheus name can come from: itself, and without each suffix, dots for underscores. */
    private static Stream<String> candidates(String name) {
        return Stream.concat(Stream.of(name), SUFFIXES.stream().filter(name::endsWith)
                        .map(suffix -> name.substring(0, name.length() - suffix.length())))
                .map(base -> base.replace('_', '.'));
    }

    private static Stream<Path> javaFiles(Path directory) {
        try {
            return Files.walk(directory).filter(p -> p.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
