package dev.shardflow.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A class that passes 300 lines usually holds two roles. A production source file that long must say, in its doc
 * comment, why it is one role ("One role in one file, ..."); any other is split by role.
 */
class SourceSizeTest {
    private static final int MAX_LINES = 300;
    private static final String REASON = "One role in one file";

    @Test
    void aSourceFileOver300LinesSaysWhyItIsOneRole() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(root)) {
            sources = modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory)
                    .flatMap(SourceSizeTest::javaFiles).toList();
        }
        assertThat(sources).as("production sources under %s", root).hasSizeGreaterThan(100);
        List<String> tooLong = sources.stream().filter(file -> lines(file).size() > MAX_LINES)
                .filter(file -> lines(file).stream().noneMatch(line -> line.contains(REASON)))
                .map(file -> root.relativize(file) + " (" + lines(file).size() + " lines)").toList();
        assertThat(tooLong).as("split these by role, or say in the doc comment why each is one ('%s, ...')", REASON)
                .isEmpty();
    }

    private static Stream<Path> javaFiles(Path directory) {
        try {
            return Files.walk(directory).filter(p -> p.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
